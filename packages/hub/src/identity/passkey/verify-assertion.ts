// Step: the authenticator signed this login's challenge, for this origin and relying party, with
// the person present and verified (PIN or biometrics), using the stored public key; and the user
// handle it returned is the one this passkey was registered with.
import type { PasskeyLoginAttempt } from './attempt.ts';
import { checkAssertion } from './webauthn.ts';

export async function verifyAssertion(attempt: PasskeyLoginAttempt): Promise<void> {
  const { challenge } = attempt.need('challenge');
  attempt.newCounter = await checkAssertion(attempt.options, attempt.need('response'), challenge, attempt.need('passkey'));
}
