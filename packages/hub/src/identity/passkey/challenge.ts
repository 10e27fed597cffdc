// The random challenge an authenticator signs. The session keeps it (JSON-safe) and hands it back
// once; the method keeps no state, so any hub process can verify what another one issued.
import { randomBytes } from 'node:crypto';
import { passkeyError } from './errors.ts';

export const CHALLENGE_BYTES = 32;
/** Long enough for a person to find their phone and unlock it; the browser's own timeout is shorter. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** What the browser is told to wait for the authenticator. */
export const CEREMONY_TIMEOUT_MS = 3 * 60 * 1000;

const CHALLENGE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Keep in the person's session until the answer arrives; pass back once, then forget it. */
export interface PasskeyChallenge {
  challenge: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** A registration also remembers whose passkey it is and the user handle the authenticator was given. */
export interface PasskeyRegistrationChallenge extends PasskeyChallenge {
  subjectKey: string;
  userHandle: string;
}

export function issueChallenge(now: Date): PasskeyChallenge {
  return { challenge: randomBytes(CHALLENGE_BYTES).toString('base64url'), expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString() };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** The stored challenge, if it is one and still fresh; challenge_expired otherwise (also when the session lost it). */
export function checkChallenge(pending: unknown, now: Date): PasskeyChallenge {
  const value = record(pending);
  const challenge = value?.challenge;
  const expiresAt = value?.expiresAt;
  if (typeof challenge !== 'string' || !CHALLENGE_SHAPE.test(challenge) || typeof expiresAt !== 'string') {
    throw passkeyError('challenge_expired', 'no passkey challenge in the session');
  }
  const expiry = Date.parse(expiresAt);
  if (!Number.isFinite(expiry) || now.getTime() >= expiry) throw passkeyError('challenge_expired', 'the passkey challenge has expired');
  return { challenge, expiresAt };
}

export function checkRegistrationChallenge(pending: unknown, now: Date): PasskeyRegistrationChallenge {
  const base = checkChallenge(pending, now);
  const value = record(pending);
  const subjectKey = value?.subjectKey;
  const userHandle = value?.userHandle;
  if (typeof subjectKey !== 'string' || typeof userHandle !== 'string') throw passkeyError('challenge_expired', 'the registration challenge is incomplete');
  return { ...base, subjectKey, userHandle };
}
