// Step: recover the person's national ID from the sealed copy stored with the passkey.
import type { PasskeyLoginAttempt } from './attempt.ts';
import { openNationalId } from './sealed-identity.ts';

export function openIdentity(attempt: PasskeyLoginAttempt): void {
  const passkey = attempt.need('passkey');
  attempt.nationalId = openNationalId(attempt.options.secret, passkey.credentialId, passkey.sealedNationalId, passkey.subjectKey);
}
