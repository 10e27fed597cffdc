// A mobile number a person may give instead of an e-mail address: a Taiwan mobile number
// (09xx-xxx-xxx, or +886 9xx xxx xxx) or any E.164 number, in the E.164 form an SMS gateway takes.
// Spaces, hyphens, dots and brackets are forgiven, as people type them.

const TAIWAN_MOBILE = /^09\d{8}$/;
const E164 = /^\+[1-9]\d{7,14}$/;

/** The number in E.164 (`+886912345678`), or undefined when it is not a mobile number. */
export function normalizeMobile(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 32) return undefined;
  const compact = value.replace(/[\s().-]/g, '');
  if (TAIWAN_MOBILE.test(compact)) return `+886${compact.slice(1)}`;
  if (compact.startsWith('+8860')) return undefined;
  if (compact.startsWith('+886')) return /^\+8869\d{8}$/.test(compact) ? compact : undefined;
  return E164.test(compact) ? compact : undefined;
}

export function isMobileNumber(value: unknown): value is string {
  return normalizeMobile(value) !== undefined;
}
