// Step: the browser's answer has the shape of a WebAuthn assertion.
import type { PasskeyLoginAttempt } from './attempt.ts';
import { readAuthenticationResponse } from './read-response.ts';

export function readLoginResponse(attempt: PasskeyLoginAttempt): void {
  attempt.response = readAuthenticationResponse(attempt.input);
}
