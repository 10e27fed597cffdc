// Taiwan national identification numbers (身分證統一編號) for synthetic citizens: letter, sex digit, 7 serial digits, check digit.
import type { Random } from './random.ts';

/** Two-digit codes the checksum uses for the leading letter; not alphabetical past H (I, O, W, Z were added later). */
const LETTER_CODES: Readonly<Record<string, number>> = {
  A: 10,
  B: 11,
  C: 12,
  D: 13,
  E: 14,
  F: 15,
  G: 16,
  H: 17,
  I: 34,
  J: 18,
  K: 19,
  L: 20,
  M: 21,
  N: 22,
  O: 35,
  P: 23,
  Q: 24,
  R: 25,
  S: 26,
  T: 27,
  U: 28,
  V: 29,
  W: 32,
  X: 30,
  Y: 31,
  Z: 33,
};

const DIGIT_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1] as const;

export type Sex = 'M' | 'F';

/** Weighted sum of the letter and the first eight digits; the check digit tops it up to a multiple of 10. */
function partialSum(letter: string, digits: string): number {
  const code = LETTER_CODES[letter];
  if (code === undefined) throw new RangeError(`no national ID letter ${letter}`);
  let sum = Math.floor(code / 10) * 1 + (code % 10) * 9;
  DIGIT_WEIGHTS.forEach((weight, i) => {
    sum += Number(digits[i]) * weight;
  });
  return sum;
}

export function checkDigit(letter: string, firstEightDigits: string): number {
  if (!/^\d{8}$/.test(firstEightDigits)) throw new RangeError('need exactly eight digits');
  return (10 - (partialSum(letter, firstEightDigits) % 10)) % 10;
}

/** For the demo's own tests; the hub validates IDs with its own code. */
export function isValidNationalIdChecksum(id: string): boolean {
  const match = /^([A-Z])([12]\d{7})(\d)$/.exec(id);
  if (!match) return false;
  const [, letter, body, check] = match;
  if (letter === undefined || body === undefined || check === undefined) return false;
  return (partialSum(letter, body) + Number(check)) % 10 === 0;
}

export function sexDigit(sex: Sex): '1' | '2' {
  return sex === 'M' ? '1' : '2';
}

export function randomNationalId(random: Random, letter: string, sex: Sex): string {
  const body = sexDigit(sex) + random.chars('0123456789', 7);
  return `${letter}${body}${checkDigit(letter, body)}`;
}

/** Completes a fixed ID from its letter and first eight digits, for hand-written seed data. */
export function withCheckDigit(letter: string, firstEightDigits: string): string {
  return `${letter}${firstEightDigits}${checkDigit(letter, firstEightDigits)}`;
}
