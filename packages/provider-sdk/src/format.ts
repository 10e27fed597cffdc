// How values read in the PDF: times in Asia/Taipei, dates in ISO and ROC (民國) years, yes/no, numbers.
import { minguoYear, taipeiClock } from '@openmydata/protocol';
import type { FieldSpec, FieldValue } from './types.ts';

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 });

/** '2025-03-01 09:30:00 (UTC+8)'. */
export function formatTaipeiTime(at: Date): string {
  return `${taipeiClock(at)} (UTC+8)`;
}

/** 民國 year for a Gregorian date: 1912 is 民國 1 年, 1911 is 民國前 1 年 (there is no year 0). */
export function rocDate(year: number, month: number, day: number): string {
  const roc = year - 1911;
  const era = roc >= 1 ? `民國 ${roc} 年` : `民國前 ${1 - roc} 年`;
  return `${era} ${month} 月 ${day} 日`;
}

/** 'YYYY-MM-DD' or an ISO date-time -> '2024-03-05（民國 113 年 3 月 5 日）'; anything else is shown as given. */
export function formatDate(value: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value);
  if (!match) return value;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return value;
  return `${value}（${rocDate(year, month, day)}）`;
}

export function formatValue(value: FieldValue | undefined, type: FieldSpec['type']): string {
  if (value === null || value === undefined || value === '') return '—（無資料 / none）';
  if (typeof value === 'boolean') return value ? '是 Yes' : '否 No';
  // A year reads as Taiwanese documents write it, with the Gregorian year beside it; never grouped.
  if (type === 'year' && typeof value === 'number' && Number.isInteger(value)) return `${minguoYear(value)}（${value}）`;
  if (typeof value === 'number') return NUMBER.format(value);
  if (type === 'date') return formatDate(value);
  return value;
}
