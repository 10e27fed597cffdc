// Taiwan national ID and resident certificate numbers: shape and checksum.
// One letter for the place of first registration, then a digit for sex or holder kind, then 8 digits,
// the last being a check digit; old resident certificates use a second letter instead of the digit.

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

export type IdentifierKind = 'national-id' | 'resident-certificate' | 'resident-certificate-old';

export type IdentifierCheck = { ok: true; kind: IdentifierKind; value: string } | { ok: false; reason: 'shape' | 'checksum' };

/** Normalises (trim, upper case) and validates a national ID or resident certificate number. */
export function checkPersonIdentifier(input: string): IdentifierCheck {
  const value = input.trim().toUpperCase();
  let kind: IdentifierKind;
  let second: number;
  if (/^[A-Z][12]\d{8}$/.test(value)) {
    kind = 'national-id';
    second = Number(value[1]);
  } else if (/^[A-Z][89]\d{8}$/.test(value)) {
    kind = 'resident-certificate';
    second = Number(value[1]);
  } else if (/^[A-Z][A-D]\d{8}$/.test(value)) {
    // Old-format resident certificates: the second letter counts by the last digit of its code.
    kind = 'resident-certificate-old';
    second = (LETTER_CODES[value[1] as string] as number) % 10;
  } else {
    return { ok: false, reason: 'shape' };
  }
  const code = LETTER_CODES[value[0] as string] as number;
  let sum = Math.floor(code / 10) + (code % 10) * 9 + second * 8;
  for (let i = 2; i < 9; i++) sum += Number(value[i]) * (9 - i);
  sum += Number(value[9]);
  if (sum % 10 !== 0) return { ok: false, reason: 'checksum' };
  return { ok: true, kind, value };
}

export function isValidPersonIdentifier(input: string): boolean {
  return checkPersonIdentifier(input).ok;
}
