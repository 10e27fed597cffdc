// Step 5: the subject must be a national ID or resident certificate number with a valid checksum.
import { checkPersonIdentifier, type RequestClaims } from '@openmydata/protocol';
import { ProviderError } from '../errors.ts';

/** Returns the normalised identifier. The error says why, never what: the ID stays out of the answer. */
export function checkSubject(claims: RequestClaims): string {
  const check = checkPersonIdentifier(claims.sub);
  if (!check.ok) {
    throw new ProviderError('subject_invalid', {
      detail:
        check.reason === 'checksum'
          ? 'The subject identifier fails its check digit.'
          : 'The subject is not shaped like a national ID or resident certificate number.',
    });
  }
  return check.value;
}
