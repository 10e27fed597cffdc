// Who can sign in at the mock IdP (the demo's synthetic citizens) and the opaque subject
// identifiers it hands out. The national ID never appears in a subject identifier: `sub` is a keyed
// hash of it, and each relying party (sector) gets its own, so two services cannot link a person by
// `sub` alone. Only the `national_id` claim carries the number, and only when that scope is granted.
import { createHmac } from 'node:crypto';
import type { Citizen } from '../population/citizens.ts';

export interface IdpAccount {
  accountId: string;
  nationalId: string;
  /** Released with the `profile` scope, so the relying party can greet the person by name. */
  name: string;
}

export interface AccountDirectory {
  /** The account for a national ID already validated for shape and checksum; undefined when not a citizen. */
  byNationalId(nationalId: string): IdpAccount | undefined;
  byAccountId(accountId: string): IdpAccount | undefined;
  /** The `sub` a given relying party sees for an account. */
  pairwiseSubject(accountId: string, sector: string): string;
}

function keyedId(secret: Buffer, label: string, value: string): string {
  return createHmac('sha256', secret).update(`${label}\0${value}`).digest('base64url').slice(0, 32);
}

export function createAccountDirectory(population: readonly Citizen[], subjectSecret: Buffer): AccountDirectory {
  const byNationalId = new Map<string, IdpAccount>();
  const byAccountId = new Map<string, IdpAccount>();
  for (const citizen of population) {
    const account = { accountId: keyedId(subjectSecret, 'account', citizen.nationalId), nationalId: citizen.nationalId, name: citizen.name };
    byNationalId.set(account.nationalId, account);
    byAccountId.set(account.accountId, account);
  }
  return {
    byNationalId: (nationalId) => byNationalId.get(nationalId),
    byAccountId: (accountId) => byAccountId.get(accountId),
    pairwiseSubject: (accountId, sector) => keyedId(subjectSecret, `pairwise\0${sector}`, accountId),
  };
}
