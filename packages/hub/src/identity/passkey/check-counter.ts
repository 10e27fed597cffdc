// Step: the signature counter moved forward. An authenticator that counts (non-zero) must report
// more than last time; a lower or equal value means a copy of the key is in use somewhere (WebAuthn
// section 6.1.1). Synced passkeys that always report 0 pass, their replay protection is the
// single-use challenge.
import type { PasskeyLoginAttempt } from './attempt.ts';
import { passkeyError } from './errors.ts';

export function counterAcceptable(stored: number, reported: number): boolean {
  return (stored === 0 && reported === 0) || reported > stored;
}

export function checkCounter(attempt: PasskeyLoginAttempt): void {
  const stored = attempt.need('passkey').counter;
  const reported = attempt.need('newCounter');
  if (!counterAcceptable(stored, reported)) throw passkeyError('passkey_counter', `signature counter ${reported} is not above the stored ${stored}`);
}
