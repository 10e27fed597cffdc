// Step: the credential is one registered here. Discoverable credentials mean the browser tells us
// which one it used; the credential id alone finds the person.
import type { PasskeyLoginAttempt } from './attempt.ts';
import { findPasskey } from './credential-store.ts';
import { passkeyError } from './errors.ts';

export async function findCredential(attempt: PasskeyLoginAttempt): Promise<void> {
  const response = attempt.need('response');
  const passkey = await findPasskey(attempt.options.db, response.id);
  if (!passkey) throw passkeyError('passkey_unknown', 'no passkey with this credential id (deleted, or registered elsewhere)');
  attempt.passkey = passkey;
}
