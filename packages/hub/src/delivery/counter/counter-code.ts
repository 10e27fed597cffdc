// The short code a person shows at a counter: 8 characters of Crockford's base32 (digits and capital
// letters without I, L, O and U), 40 random bits. It is what the QR code and the Code128 barcode
// carry, and what a clerk may type; read aloud it is two groups of four. Typed input is forgiving
// the way Crockford intends: lower case, spaces and hyphens are accepted, O reads as 0, I and L as 1.
import { createHmac, hkdfSync, randomBytes, randomInt, scrypt } from 'node:crypto';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;
/** Longer input is refused before it is looked at (a scanner glued to a wrong field, a paste). */
export const MAX_CODE_INPUT = 64;
const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

export function newCounterCode(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = CODE_LENGTH - 1; i >= 0; i--) code += CODE_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return code;
}

export type CodeInput = { ok: true; code: string } | { ok: false; problem: 'empty' | 'too_long' | 'malformed' };

/** What a clerk typed or a scanner sent, as a code, or why it cannot be one. */
export function readCodeInput(input: string): CodeInput {
  if (input.length > MAX_CODE_INPUT) return { ok: false, problem: 'too_long' };
  const cleaned = input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (cleaned === '') return { ok: false, problem: 'empty' };
  return CODE.test(cleaned) ? { ok: true, code: cleaned } : { ok: false, problem: 'malformed' };
}

/** For reading aloud and printing: `ABCD EFGH`. */
export function groupCode(code: string): string {
  return `${code.slice(0, 4)} ${code.slice(4)}`;
}

/** Keys the hub derives from HUB_SECRET for codes; none is stored. */
export interface CodeKeys {
  /**
   * The one slow step per code (issued or scanned): its lookup hash and the key that opens its
   * package both come from it, so every guess at a code costs a scrypt, even to someone holding the
   * database and HUB_SECRET (a fast lookup hash would let them test all codes cheaply).
   */
  stretch(code: string): Promise<StretchedCode>;
  /** The confirmation code's stored form, bound to its redemption. */
  confirmationHash(redemptionId: string, confirmation: string): string;
}

export interface StretchedCode {
  /** What the database looks a code up by. */
  hash: string;
  /** The key that wraps this code's package key, bound to the package. */
  packageKey(packageId: string): Buffer;
}

// 2^14 × 8 × 128 bytes = 16 MiB and some 40-80 ms per derivation: one per code issued and one per
// code scanned, while each of the 2^40 guesses against a stolen database (with the hub secret)
// costs the same. docs/counter.md has the arithmetic.
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function codeKeys(hubSecret: Buffer): CodeKeys {
  const lookup = Buffer.from(hkdfSync('sha256', hubSecret, Buffer.alloc(0), 'openmydata counter code lookup', 32));
  const salt = Buffer.from(hkdfSync('sha256', hubSecret, Buffer.alloc(0), 'openmydata counter code salt', 32));
  const confirm = Buffer.from(hkdfSync('sha256', hubSecret, Buffer.alloc(0), 'openmydata counter confirmation', 32));
  return {
    stretch: (code) =>
      new Promise((resolve, reject) =>
        scrypt(code, salt, 32, SCRYPT, (error, stretched) => {
          if (error) return reject(error);
          resolve({
            hash: createHmac('sha256', lookup).update(stretched).digest('hex'),
            packageKey: (packageId) => Buffer.from(hkdfSync('sha256', stretched, Buffer.alloc(0), `openmydata counter package key:${packageId}`, 32)),
          });
        }),
      ),
    confirmationHash: (redemptionId, confirmation) => createHmac('sha256', confirm).update(`${redemptionId}:${confirmation}`).digest('hex'),
  };
}

/** A six-digit confirmation code. */
export function newConfirmationCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
