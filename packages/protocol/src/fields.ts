// The kinds of field a data set may register, and how a value of each reads to a person: one
// definition for the registry, the agencies' PDFs and the hub's pages.

/**
 * `year` is a Gregorian year (an integer), shown as Taiwanese documents do (民國114年) in Chinese and
 * as 2025 in English, never grouped like an amount. `date` is an ISO date or date-time string.
 */
export const FIELD_TYPES = ['string', 'number', 'year', 'date', 'boolean', 'image'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** 民國 year of a Gregorian year: 1912 is 民國1年, 1911 is 民國前1年 (there is no year 0). */
export function minguoYear(year: number): string {
  const roc = year - 1911;
  return roc >= 1 ? `民國${roc}年` : `民國前${1 - roc}年`;
}

/** 'YYYY-MM-DD…' as its parts, or undefined when it is not a calendar date. */
export function dateParts(value: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? { year, month, day } : undefined;
}

const GROUPED = { 'zh-TW': new Intl.NumberFormat('zh-TW', { maximumFractionDigits: 20 }), en: new Intl.NumberFormat('en', { maximumFractionDigits: 20 }) };

/**
 * A value as a person reads it on a page in one language: amounts grouped (1,234,567), years as
 * 民國114年 or 2025, dates as 民國113年3月5日 or 2024-03-05, yes/no in words, nothing for none.
 * Images are not text: they read as ''.
 */
export function formatFieldValue(value: unknown, type: FieldType, lang: 'zh-TW' | 'en'): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? (lang === 'en' ? 'Yes' : '是') : lang === 'en' ? 'No' : '否';
  if (type === 'image') return '';
  if (type === 'year' && typeof value === 'number' && Number.isInteger(value)) return lang === 'en' ? String(value) : minguoYear(value);
  if (typeof value === 'number') return GROUPED[lang].format(value);
  if (type === 'date' && typeof value === 'string') {
    const parts = dateParts(value);
    if (parts && lang === 'zh-TW') return `${minguoYear(parts.year)}${parts.month}月${parts.day}日`;
    return parts ? value.slice(0, 10) : value;
  }
  return String(value);
}
