// The nonce the person's certificate key signs. The session layer stores it and consumes it once;
// the verifier keeps no state, so any hub process can verify what another one issued.
import { randomBytes } from 'node:crypto';

export const CHALLENGE_BYTES = 32;
export const CHALLENGE_TTL_MS = 2 * 60 * 1000;

/** 32 random bytes in base64url without padding: always 43 characters. */
const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface X509Challenge {
  nonce: string;
  expiresAt: Date;
}

export function issueChallenge(now: Date): X509Challenge {
  return {
    nonce: randomBytes(CHALLENGE_BYTES).toString('base64url'),
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
  };
}

export function isNonceShaped(nonce: string): boolean {
  return NONCE_SHAPE.test(nonce);
}
