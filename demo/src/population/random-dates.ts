// Random calendar dates for synthetic life events.
import { addDays, isoDate } from './dates.ts';
import type { Random } from './random.ts';

/** A date between two others, both included; `from` when the range is empty. */
export function randomDateBetween(random: Random, from: string, to: string): string {
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  return addDays(from, random.int(0, Math.max(0, days)));
}

export function randomBirthDate(random: Random, year: number): string {
  return randomDateBetween(random, isoDate(year, 1, 1), isoDate(year, 12, 31));
}
