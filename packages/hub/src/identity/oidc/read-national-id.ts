// The person's national ID (or resident certificate number) from the national_id claim, checked for
// shape and checksum like every other way in. The value itself never goes into an error or a log.
import { checkPersonIdentifier } from '@openmydata/protocol';
import type { OidcAttempt } from './attempt.ts';
import { oidcError } from './errors.ts';

export const NATIONAL_ID_CLAIM = 'national_id';

export function readNationalId(attempt: OidcAttempt): void {
  const value = attempt.claims?.[NATIONAL_ID_CLAIM];
  if (typeof value !== 'string') throw oidcError('identifier_invalid', `ID token has no ${NATIONAL_ID_CLAIM} string claim`);
  const checked = checkPersonIdentifier(value);
  if (!checked.ok) throw oidcError('identifier_invalid', `${NATIONAL_ID_CLAIM} claim fails the ${checked.reason} check`);
  attempt.nationalId = checked.value;
}
