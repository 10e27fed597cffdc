// Adding a passkey for a person who is logged in (level 1 or 2): options for
// navigator.credentials.create, then the checks on what the authenticator made, then the row.
import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { subjectKeyer } from '../../keys/subject-key.ts';
import { checkRegistrationChallenge, issueChallenge, type PasskeyRegistrationChallenge } from './challenge.ts';
import { insertPasskey, passkeysOf, type StoredPasskey } from './credential-store.ts';
import { passkeyError } from './errors.ts';
import type { ResolvedPasskeyOptions } from './options.ts';
import { sealNationalId } from './sealed-identity.ts';
import { checkAttestation, creationOptions } from './webauthn.ts';

export { SUPPORTED_ALGORITHMS } from './webauthn.ts';
export const DEFAULT_DISPLAY_LABEL = 'OpenMyData 使用者';
const USER_HANDLE_BYTES = 32;

/** The name an authenticator shows for the account: never a name or an ID, so a generic label. */
export function displayLabelOf(value: string | undefined): string {
  const label = (value ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 64);
  return label || DEFAULT_DISPLAY_LABEL;
}

export async function registrationOptions(
  o: ResolvedPasskeyOptions,
  subjectKey: string,
  displayLabel?: string,
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challenge: PasskeyRegistrationChallenge }> {
  const existing = await passkeysOf(o.db, subjectKey);
  // One random handle per person, reused for their later passkeys so a passkey manager files them
  // under one account; it says nothing about the person and only the passkeys table holds it.
  const userHandle = existing[0]?.userHandle ?? randomBytes(USER_HANDLE_BYTES).toString('base64url');
  const issued = issueChallenge(o.now());
  const label = displayLabelOf(displayLabel);
  const options = await creationOptions(o, { challenge: issued.challenge, userHandle, label, exclude: existing });
  return { options, challenge: { ...issued, subjectKey, userHandle } };
}

export interface PasskeyOwner {
  subjectKey: string;
  nationalId: string;
}

/**
 * Checks, in order: the session's challenge is fresh (challenge_expired) and was issued to this
 * person (passkey_invalid); the response has the right shape; the attestation is for this
 * challenge, origin and relying party, with the person present and verified, in a supported
 * algorithm (passkey_invalid); the credential id is new (passkey_invalid). Then stores it.
 */
export async function verifyRegistration(o: ResolvedPasskeyOptions, input: unknown, pending: unknown, owner: PasskeyOwner): Promise<StoredPasskey> {
  const now = o.now();
  const challenge = checkRegistrationChallenge(pending, now);
  // A bug in the caller, not something a person can cause: the ID and key must name one person.
  if (subjectKeyer(o.secret)(owner.nationalId) !== owner.subjectKey) throw new Error('verifyRegistration: the national ID does not match the subject key');
  if (challenge.subjectKey !== owner.subjectKey) throw passkeyError('passkey_invalid', 'the registration challenge was issued to another person');
  const credential = await checkAttestation(o, input, challenge.challenge);
  const passkey: StoredPasskey = {
    credentialId: credential.credentialId,
    subjectKey: owner.subjectKey,
    userHandle: challenge.userHandle,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports,
    sealedNationalId: sealNationalId(o.secret, credential.credentialId, owner.nationalId),
    createdAt: now,
    lastUsedAt: null,
  };
  if (!(await insertPasskey(o.db, passkey))) throw passkeyError('passkey_invalid', 'this credential id is already registered');
  return passkey;
}
