// Step: store the new counter and the time of use, unless another login got there first.
import type { PasskeyLoginAttempt } from './attempt.ts';
import { recordPasskeyUse } from './credential-store.ts';
import { passkeyError } from './errors.ts';

export async function recordUse(attempt: PasskeyLoginAttempt): Promise<void> {
  const passkey = attempt.need('passkey');
  const newCounter = attempt.need('newCounter');
  const recorded = await recordPasskeyUse(attempt.options.db, passkey.credentialId, passkey.counter, newCounter, attempt.now);
  if (!recorded) throw passkeyError('passkey_counter', 'another login with this passkey changed its counter first, or it was deleted meanwhile');
}
