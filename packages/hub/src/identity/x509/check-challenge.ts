// Step: the challenge is one we could have issued and it has not expired.
import type { Attempt } from './attempt.ts';
import { isNonceShaped } from './challenge.ts';
import { x509Error } from './errors.ts';

export function checkChallenge(attempt: Attempt): void {
  const { nonce, expiresAt } = attempt.input;
  if (typeof nonce !== 'string' || !isNonceShaped(nonce)) throw x509Error('challenge_expired', 'nonce is not 32 bytes of base64url');
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) throw x509Error('challenge_expired', 'no expiry given');
  if (attempt.context.now.getTime() > expiresAt.getTime()) throw x509Error('challenge_expired');
}
