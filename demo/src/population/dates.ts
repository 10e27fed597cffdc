// ISO calendar-date helpers (YYYY-MM-DD strings, UTC arithmetic) and the ROC calendar used on Taiwanese documents.

/** The demo's "today": every age, validity and "last 12 months" is computed from it, never from the clock. */
export const REFERENCE_DATE = '2026-11-01';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parse(iso: string): Date {
  const match = ISO_DATE.exec(iso);
  if (!match) throw new RangeError(`not an ISO date: ${iso}`);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (date.toISOString().slice(0, 10) !== iso) throw new RangeError(`no such date: ${iso}`);
  return date;
}

function format(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function isoDate(year: number, month: number, day: number): string {
  return format(new Date(Date.UTC(year, month - 1, day)));
}

export function addDays(iso: string, days: number): string {
  const date = parse(iso);
  date.setUTCDate(date.getUTCDate() + days);
  return format(date);
}

/** Adds whole years; 29 February falls back to 28 February in common years. */
export function addYears(iso: string, years: number): string {
  const date = parse(iso);
  const year = date.getUTCFullYear() + years;
  const month = date.getUTCMonth();
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return format(new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay))));
}

export function yearOf(iso: string): number {
  return parse(iso).getUTCFullYear();
}

/** Completed years of age on `on`. */
export function ageOn(birthDate: string, on: string = REFERENCE_DATE): number {
  const birth = parse(birthDate);
  const day = parse(on);
  let age = day.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday = day.getUTCMonth() < birth.getUTCMonth() || (day.getUTCMonth() === birth.getUTCMonth() && day.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

export function maxDate(...dates: string[]): string {
  // biome-ignore lint/complexity/useMathMinMax: these are ISO date strings; Math.max would turn them into NaN.
  return dates.reduce((a, b) => (a > b ? a : b));
}

export function minDate(...dates: string[]): string {
  // biome-ignore lint/complexity/useMathMinMax: these are ISO date strings; Math.min would turn them into NaN.
  return dates.reduce((a, b) => (a < b ? a : b));
}

export function lastDayOfMonth(year: number, month: number): string {
  return format(new Date(Date.UTC(year, month, 0)));
}

/** "民國80年3月5日" for 1991-03-05; the ROC era starts in 1912 (民國元年). */
export function toRocDate(iso: string): string {
  const date = parse(iso);
  const rocYear = date.getUTCFullYear() - 1911;
  if (rocYear < 1) throw new RangeError(`before the ROC era: ${iso}`);
  return `民國${rocYear}年${date.getUTCMonth() + 1}月${date.getUTCDate()}日`;
}
