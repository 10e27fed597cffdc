// Step: the authenticator signed this login's challenge, for this origin and relying party, with
// the person present and verified (PIN or biometrics), using the stored public key; and the user
// handle it returned is the one this passkey was registered with.
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { PasskeyLoginAttempt } from './attempt.ts';
import { passkeyError } from './errors.ts';

export async function verifyAssertion(attempt: PasskeyLoginAttempt): Promise<void> {
  const response = attempt.need('response');
  const passkey = attempt.need('passkey');
  const { challenge } = attempt.need('challenge');
  const userHandle = response.response.userHandle;
  if (userHandle !== undefined && userHandle !== passkey.userHandle) throw passkeyError('passkey_invalid', 'the user handle does not belong to this passkey');
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: attempt.options.origin,
      expectedRPID: attempt.options.rpId,
      expectedType: 'webauthn.get',
      requireUserVerification: true,
      // The counter is judged by checkCounter, so that a clone gets its own error code.
      credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter: 0, transports: passkey.transports },
    });
  } catch (error) {
    throw passkeyError('passkey_invalid', `assertion: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
  if (!result.verified) throw passkeyError('passkey_invalid', 'assertion: signature does not verify');
  attempt.newCounter = result.authenticationInfo.newCounter;
}
