// The password a person chooses for their download: the one rule it must meet, and a simple
// strength estimate the portal shows while they type. No dictionary dependency: length, variety,
// repeats, runs (abc, 123, qwerty) and a short list of the most common choices.
import { DownloadError } from './errors.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Length in characters as a person counts them (code points), not UTF-16 units. */
export function passwordLength(password: string): number {
  let n = 0;
  for (const _ of password) n++;
  return n;
}

/**
 * Returns the password to encrypt with, or throws DownloadError. It is NFC-normalised so the
 * same typed characters give the same bytes whichever input method produced them.
 */
export function checkDownloadPassword(password: string): string {
  const normalised = password.normalize('NFC');
  const length = passwordLength(normalised);
  if (length < MIN_PASSWORD_LENGTH) throw new DownloadError('password_too_short');
  if (length > MAX_PASSWORD_LENGTH) throw new DownloadError('password_too_long');
  if (CONTROL.test(normalised)) throw new DownloadError('password_invalid_characters');
  return normalised;
}

export type PasswordHint = 'too_short' | 'longer' | 'add_variety' | 'avoid_repeats' | 'avoid_sequences' | 'avoid_common' | 'avoid_personal';

export const PASSWORD_HINT_MESSAGES: Record<PasswordHint, { en: string; 'zh-TW': string }> = {
  too_short: { en: 'Use at least 10 characters.', 'zh-TW': '請使用至少 10 個字元。' },
  longer: { en: 'Longer is stronger: try a phrase of several words.', 'zh-TW': '越長越安全：可試著用幾個詞組成的句子。' },
  add_variety: { en: 'Mix letters, digits, spaces or symbols.', 'zh-TW': '可混用字母、數字、空白或符號。' },
  avoid_repeats: { en: 'Avoid repeated characters or repeated parts.', 'zh-TW': '避免重複的字元或片段。' },
  avoid_sequences: { en: 'Avoid runs such as abc, 123 or qwerty.', 'zh-TW': '避免 abc、123、qwerty 等連續字元。' },
  avoid_common: { en: 'Avoid common passwords and words such as password or 123456.', 'zh-TW': '避免 password、123456 等常見密碼。' },
  avoid_personal: { en: 'Do not use your ID number, name or birth date.', 'zh-TW': '請勿使用身分證號、姓名或生日。' },
};

export interface PasswordStrength {
  /** 0 very weak .. 4 strong. */
  score: 0 | 1 | 2 | 3 | 4;
  hints: PasswordHint[];
}

const COMMON = [
  'password',
  'passw0rd',
  'p@ssw0rd',
  'qwerty',
  'abc123',
  'iloveyou',
  'admin',
  'welcome',
  'letmein',
  'monkey',
  'dragon',
  'master',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'taiwan',
  'taipei',
  'mydata',
  'openmydata',
  'secret',
  'changeme',
  '1qaz2wsx',
  'zaq12wsx',
  'asdfgh',
  '123456',
  '111111',
  '000000',
  '123123',
  '520520',
  '5201314',
  'aaaaaa',
];

const ROWS = ['abcdefghijklmnopqrstuvwxyz', '0123456789', '1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p'];

/** Simple strength estimate; `avoid` lists what the person must not use (their ID, name, birth date). */
export function passwordStrength(password: string, options: { avoid?: readonly string[] } = {}): PasswordStrength {
  const chars = [...password.normalize('NFC')];
  const hints = new Set<PasswordHint>();
  if (chars.length < MIN_PASSWORD_LENGTH) hints.add('too_short');

  const lower = chars.join('').toLowerCase();
  let effective = effectiveLength([...lower], hints);

  // A password made of one short part repeated says little more than the part itself.
  const period = smallestPeriod(lower);
  if (period < chars.length && chars.length >= 2 * period) {
    hints.add('avoid_repeats');
    effective = Math.min(effective, effectiveLength([...lower].slice(0, period), new Set()) + 1);
  }

  for (const word of COMMON) {
    if (lower.includes(word)) {
      hints.add('avoid_common');
      // A known word is worth about one random character, wherever it sits.
      effective -= effectiveLength([...word], new Set()) - 1;
    }
  }
  for (const item of options.avoid ?? []) {
    const needle = item.normalize('NFC').toLowerCase().replace(/\s+/g, '');
    if (needle.length >= 4 && lower.replace(/\s+/g, '').includes(needle)) {
      hints.add('avoid_personal');
      effective -= passwordLength(needle) - 1;
    }
  }

  const pool = poolSize(chars);
  const bits = Math.max(0, effective) * Math.log2(Math.max(pool, 2));
  let score: PasswordStrength['score'] = bits < 30 ? 0 : bits < 45 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  if (chars.length < MIN_PASSWORD_LENGTH) score = Math.min(score, 1) as PasswordStrength['score'];
  if (hints.has('avoid_personal') || (hints.has('avoid_common') && chars.length < 16)) score = Math.min(score, 1) as PasswordStrength['score'];

  if (score < 3 && chars.length < 16) hints.add('longer');
  if (score < 3 && classesOf(chars) < 3) hints.add('add_variety');
  return { score, hints: [...hints] };
}

/** Characters that carry surprise: a repeat counts half, the third step of a run a quarter. */
function effectiveLength(chars: string[], hints: Set<PasswordHint>): number {
  let total = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (i > 0 && c === chars[i - 1]) {
      total += 0.5;
      if (i > 1 && c === chars[i - 2]) hints.add('avoid_repeats');
    } else if (i > 1 && continuesRun(chars[i - 2] as string, chars[i - 1] as string, c)) {
      total += 0.25;
      hints.add('avoid_sequences');
    } else {
      total += 1;
    }
  }
  return total;
}

function continuesRun(a: string, b: string, c: string): boolean {
  for (const row of ROWS) {
    const [ia, ib, ic] = [row.indexOf(a), row.indexOf(b), row.indexOf(c)];
    if (ia < 0 || ib < 0 || ic < 0) continue;
    if ((ib - ia === 1 && ic - ib === 1) || (ib - ia === -1 && ic - ib === -1)) return true;
  }
  return false;
}

function smallestPeriod(s: string): number {
  const chars = [...s];
  for (let p = 1; p <= chars.length / 2; p++) {
    let periodic = true;
    for (let i = p; i < chars.length && periodic; i++) periodic = chars[i] === chars[i - p];
    if (periodic) return p;
  }
  return chars.length;
}

function classesOf(chars: string[]): number {
  const classes = new Set<string>();
  for (const c of chars) classes.add(classOf(c));
  return classes.size;
}

function classOf(c: string): string {
  if (/[a-z]/.test(c)) return 'lower';
  if (/[A-Z]/.test(c)) return 'upper';
  if (/[0-9]/.test(c)) return 'digit';
  if ((c.codePointAt(0) as number) < 0x80) return 'symbol';
  return 'other';
}

const POOL: Record<string, number> = { lower: 26, upper: 26, digit: 10, symbol: 33, other: 100 };

function poolSize(chars: string[]): number {
  const classes = new Set(chars.map(classOf));
  let pool = 0;
  for (const c of classes) pool += POOL[c] ?? 0;
  return pool;
}
