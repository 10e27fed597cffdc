// Passkeys (WebAuthn): registered by a person already logged in at level 1 or 2, then a level 2
// login of its own. The method keeps no state between calls: challenges travel in the session,
// credentials live in the passkeys table, so any hub process can finish what another started.
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { VerifiedIdentity } from '../types.ts';
import { authenticationOptions, PASSKEY_LEVEL, passkeyReference, verifyAuthentication } from './authentication.ts';
import type { PasskeyChallenge, PasskeyRegistrationChallenge } from './challenge.ts';
import { deletePasskeyRow, passkeysOf, type StoredPasskey } from './credential-store.ts';
import { type PasskeyMethodOptions, resolvePasskeyOptions } from './options.ts';
import { type PasskeyOwner, registrationOptions, verifyRegistration } from './registration.ts';

/** A passkey as the person's own list shows it: no key material, no sealed ID. */
export interface PasskeySummary {
  /** base64url; what deletePasskey takes. */
  credentialId: string;
  /** Short non-personal reference, the same one logged for a login with it. */
  reference: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Transport hints (internal, hybrid, usb, ...), for an icon. */
  transports: string[];
}

export interface PasskeyMethod {
  readonly id: 'passkey';
  readonly level: 2;
  readonly rpId: string;
  readonly origin: string;
  /**
   * Options for navigator.credentials.create, and the challenge to keep in the session until
   * verifyRegistration. Call only for a person logged in at level 1 or 2. `displayLabel` is the
   * account name the authenticator shows: a generic label (default 'OpenMyData 使用者'), never a
   * name or an ID; the hub does not store it.
   */
  registrationOptions(
    subjectKey: string,
    displayLabel?: string,
  ): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challenge: PasskeyRegistrationChallenge }>;
  /**
   * Checks the browser's answer (object or JSON text) against the challenge the session kept and
   * stores the passkey with the national ID sealed. The caller removes the challenge from the
   * session before calling, whatever the outcome. Throws IdentityError (PASSKEY_ERRORS codes).
   */
  verifyRegistration(response: unknown, expectedChallenge: unknown, owner: PasskeyOwner): Promise<PasskeySummary>;
  /** Options for navigator.credentials.get (discoverable passkeys), and the challenge to keep in the session. */
  authenticationOptions(): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challenge: PasskeyChallenge }>;
  /**
   * Runs PASSKEY_LOGIN_PIPELINE on the browser's answer: a level 2 VerifiedIdentity, or an
   * IdentityError (challenge_expired, passkey_unknown, passkey_invalid, passkey_counter). The
   * caller removes the challenge from the session before calling, whatever the outcome.
   */
  verifyAuthentication(response: unknown, expectedChallenge: unknown): Promise<VerifiedIdentity>;
  listPasskeys(subjectKey: string): Promise<PasskeySummary[]>;
  /** Removes one of the person's passkeys (and with it the sealed ID); false when they have no such passkey. */
  deletePasskey(subjectKey: string, credentialId: string): Promise<boolean>;
}

function summaryOf(p: StoredPasskey): PasskeySummary {
  return {
    credentialId: p.credentialId,
    reference: passkeyReference(p.credentialId),
    createdAt: p.createdAt,
    lastUsedAt: p.lastUsedAt,
    transports: p.transports,
  };
}

export function createPasskeyMethod(input: PasskeyMethodOptions): PasskeyMethod {
  const o = resolvePasskeyOptions(input);
  return {
    id: 'passkey',
    level: PASSKEY_LEVEL,
    rpId: o.rpId,
    origin: o.origin,
    registrationOptions: (subjectKey, displayLabel) => registrationOptions(o, subjectKey, displayLabel),
    verifyRegistration: async (response, expectedChallenge, owner) => summaryOf(await verifyRegistration(o, response, expectedChallenge, owner)),
    authenticationOptions: () => authenticationOptions(o),
    verifyAuthentication: (response, expectedChallenge) => verifyAuthentication(o, response, expectedChallenge),
    listPasskeys: async (subjectKey) => (await passkeysOf(o.db, subjectKey)).map(summaryOf),
    deletePasskey: (subjectKey, credentialId) => deletePasskeyRow(o.db, subjectKey, credentialId),
  };
}
