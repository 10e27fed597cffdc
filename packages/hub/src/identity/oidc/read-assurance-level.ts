// The provider's acr claim says how the person signed in; the hub maps it to its own 1..4 scale and
// refuses what it does not know rather than guess.
import type { OidcAttempt } from './attempt.ts';
import { oidcError } from './errors.ts';

export function readAssuranceLevel(attempt: OidcAttempt): void {
  const acr = attempt.claims?.acr;
  if (typeof acr !== 'string' || acr === '') throw oidcError('assurance_unknown', 'ID token has no acr claim');
  const level = Object.hasOwn(attempt.options.acrLevels, acr) ? attempt.options.acrLevels[acr] : undefined;
  if (level === undefined) throw oidcError('assurance_unknown', `acr ${JSON.stringify(acr.slice(0, 100))} is not configured`);
  attempt.level = level;
}
