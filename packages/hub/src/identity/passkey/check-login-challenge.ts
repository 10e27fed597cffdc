// Step: the session still holds a fresh challenge from authenticationOptions().
import type { PasskeyLoginAttempt } from './attempt.ts';
import { checkChallenge } from './challenge.ts';

export function checkLoginChallenge(attempt: PasskeyLoginAttempt): void {
  attempt.challenge = checkChallenge(attempt.pending, attempt.now);
}
