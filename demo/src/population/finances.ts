// Bank savings and shareholdings: the source of interest and dividend income and of investments in the property data set.
import type { Savings, Shareholding } from './citizen.ts';
import { BANKS, LISTED_COMPANIES } from './employers.ts';
import type { Random } from './random.ts';

/** Average one-year time-deposit rate in 2025. */
const DEPOSIT_RATE = 0.017;

export function savingsOf(bank: string, deposit: number): Savings {
  return { bank, deposit, interest: Math.round(deposit * DEPOSIT_RATE) };
}

export function randomSavings(random: Random, wealth: number): Savings[] {
  const count = random.weighted([
    [1, 6],
    [2, 3],
    [0, 1],
  ] as const);
  return random
    .shuffle(BANKS)
    .slice(0, count)
    .map((bank) => savingsOf(bank.name, Math.max(1, Math.round(random.int(20, 1_200) * wealth)) * 1_000));
}

export function randomShareholdings(random: Random): Shareholding[] {
  const count = random.weighted([
    [1, 3],
    [2, 1],
  ] as const);
  return random
    .shuffle(LISTED_COMPANIES)
    .slice(0, count)
    .map((company) => ({
      company: company.name,
      shares: random.int(1, 30) * 1_000,
      dividendPerShare: random.int(8, 50) / 10,
    }));
}
