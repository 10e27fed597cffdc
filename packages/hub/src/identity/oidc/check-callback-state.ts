// The callback must carry the state this browser's session was given at start(): otherwise it is a
// forged or replayed answer (login CSRF), and nothing in it, not even an error, is believed.
import { timingSafeEqual } from 'node:crypto';
import type { OidcAttempt } from './attempt.ts';
import { oidcError } from './errors.ts';

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function checkCallbackState(attempt: OidcAttempt): void {
  const { login, callbackUrl } = attempt;
  const kept = [login?.state, login?.nonce, login?.codeVerifier];
  if (!kept.every((v) => typeof v === 'string' && v.length >= 16)) throw oidcError('state_mismatch', 'no sign-in in progress in this session');
  const states = callbackUrl.searchParams.getAll('state');
  if (states.length !== 1) throw oidcError('state_mismatch', `callback has ${states.length} state parameters`);
  if (!sameText(states[0] as string, login.state)) throw oidcError('state_mismatch', 'callback state differs from the session');
}
