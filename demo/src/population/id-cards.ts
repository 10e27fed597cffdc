// When and where a person's national ID card was issued.
import type { IdCard } from './citizen.ts';
import { randomDateBetween } from './random-dates.ts';
import { addDays, addYears, isoDate, minDate, REFERENCE_DATE } from './dates.ts';
import type { Random } from './random.ts';

/** Every card was replaced in the nationwide renewal of July to December 2005. */
const NATIONWIDE_RENEWAL = { from: isoDate(2005, 7, 1), to: isoDate(2005, 12, 31) } as const;

/** Cards are compulsory from 14; younger children have none. */
export function randomIdCard(random: Random, birthDate: string, cardPlace: string): IdCard | null {
  const fourteen = addYears(birthDate, 14);
  if (fourteen >= REFERENCE_DATE) return null;
  const lastDay = addDays(REFERENCE_DATE, -1);
  if (random.chance(0.12)) {
    // Lost or damaged cards are reissued (補發).
    const from = fourteen > NATIONWIDE_RENEWAL.to ? fourteen : isoDate(2006, 1, 1);
    return { issued: randomDateBetween(random, from, lastDay), place: cardPlace, type: '補發' };
  }
  if (fourteen < NATIONWIDE_RENEWAL.from) {
    return { issued: randomDateBetween(random, NATIONWIDE_RENEWAL.from, NATIONWIDE_RENEWAL.to), place: cardPlace, type: '換發' };
  }
  const issued = randomDateBetween(random, fourteen, addDays(fourteen, 120));
  return { issued: minDate(issued, lastDay), place: cardPlace, type: '初發' };
}
