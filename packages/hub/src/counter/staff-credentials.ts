// How counter staff prove who they are: a password hashed with scrypt (memory-hard, from node:crypto)
// and a TOTP code (RFC 6238, 30 s, 6 digits, what authenticator apps use) whose secret is stored
// sealed under a key derived from HUB_SECRET. A TOTP code is accepted once (see takeTotpStep).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { seal, unseal } from '../keys/seal.ts';

// 2^15 × 8 × 128 bytes = 32 MiB per hash: slow and memory-hard for a guesser, ~50 ms for the hub.
const COST = { N: 2 ** 15, r: 8, p: 1 };
const MAXMEM = 64 * 1024 * 1024;
const KEY_BYTES = 32;

export const MIN_STAFF_PASSWORD = 12;
export const MAX_STAFF_PASSWORD = 256;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...cost, maxmem: MAXMEM }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url). */
export async function hashStaffPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, COST);
  return ['scrypt', Math.log2(COST.N), COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyStaffPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: 2 ** Number(logN), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password the operator hands to a new clerk: 20 characters from an alphabet easy to type. */
export function newStaffPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(40);
  let out = '';
  for (const byte of bytes) {
    if (byte >= 256 - (256 % alphabet.length)) continue;
    out += alphabet[byte % alphabet.length];
    if (out.length === 20) break;
  }
  return out.length === 20 ? out : newStaffPassword();
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function sealTotpSecret(hubSecret: Buffer, staffId: string, base32: string): string {
  return seal(hubSecret, `counter-totp:${staffId}`, Buffer.from(base32, 'utf8'));
}

function totpFor(base32: string, staffId: string): TOTP {
  return new TOTP({ issuer: 'OpenMyData', label: staffId, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(base32) });
}

/** The otpauth:// URI an authenticator app takes (as a QR code or typed). */
export function totpUri(base32: string, staffId: string): string {
  return totpFor(base32, staffId).toString();
}

/** The current code of a secret (for the demo's helper and tests that sign in as staff). */
export function totpCode(base32: string, at: Date = new Date()): string {
  return totpFor(base32, 'staff').generate({ timestamp: at.getTime() });
}

/**
 * The time step a code belongs to when it is valid now (one step of clock drift either way), or
 * undefined. The caller takes the step so the same code cannot be used twice.
 */
export function totpStep(hubSecret: Buffer, staffId: string, sealed: string, code: string, at: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  let base32: string;
  try {
    base32 = unseal(hubSecret, `counter-totp:${staffId}`, sealed).toString('utf8');
  } catch {
    return undefined;
  }
  const delta = totpFor(base32, staffId).validate({ token: code, timestamp: at.getTime(), window: 1 });
  return delta === null ? undefined : Math.floor(at.getTime() / 30_000) + delta;
}
