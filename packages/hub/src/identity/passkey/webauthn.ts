// The WebAuthn ceremonies themselves, apart from whose passkey it is: the citizens' passkey method
// and the counter staff's passkeys both call these, so the two cannot drift apart. Each check
// failing is passkey_invalid with an internal detail for the logs.
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { CEREMONY_TIMEOUT_MS } from './challenge.ts';
import { passkeyError } from './errors.ts';
import { readRegistrationResponse } from './read-response.ts';

/** EdDSA, ES256, RS256: what platform authenticators and security keys make. */
export const SUPPORTED_ALGORITHMS: readonly number[] = [-8, -7, -257];

export interface RelyingParty {
  rpId: string;
  rpName: string;
  origin: string;
}

function bytes(base64url: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(base64url, 'base64url'));
}

/** Options for navigator.credentials.create: a discoverable passkey, user verification required. */
export async function creationOptions(
  rp: RelyingParty,
  input: { challenge: string; userHandle: string; label: string; exclude: ReadonlyArray<{ credentialId: string; transports: string[] }> },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userID: bytes(input.userHandle),
    userName: input.label,
    userDisplayName: input.label,
    challenge: bytes(input.challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: input.exclude.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  });
  if (options.challenge !== input.challenge) throw new Error('registration options carry a different challenge than issued');
  return options;
}

/** Options for navigator.credentials.get: any discoverable passkey of this relying party, user verification required. */
export async function requestOptions(rp: Pick<RelyingParty, 'rpId'>, challenge: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: bytes(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
  });
  if (options.challenge !== challenge) throw new Error('authentication options carry a different challenge than issued');
  return options;
}

export interface AttestedCredential {
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
}

/**
 * The browser's answer to creationOptions (object or JSON text): the right shape, made for this
 * challenge, origin and relying party, with the person present and verified, in a supported
 * algorithm. passkey_invalid otherwise.
 */
export async function checkAttestation(rp: RelyingParty, input: unknown, challenge: string): Promise<AttestedCredential> {
  const response = readRegistrationResponse(input);
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    });
  } catch (error) {
    throw passkeyError('passkey_invalid', `attestation: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
  if (!result.verified) throw passkeyError('passkey_invalid', 'attestation: not verified');
  const { credential } = result.registrationInfo;
  if (credential.id !== response.id) throw passkeyError('passkey_invalid', 'attestation: credential id differs from the response id');
  return {
    credentialId: credential.id,
    publicKey: new Uint8Array(credential.publicKey),
    counter: credential.counter,
    transports: response.response.transports ?? [],
  };
}

/**
 * The assertion signs this challenge, for this origin and relying party, with the person present
 * and verified, under the stored public key; its user handle (when sent) is the stored one. The
 * counter the authenticator reported, for the caller to judge (counterAcceptable).
 */
export async function checkAssertion(
  rp: Pick<RelyingParty, 'rpId' | 'origin'>,
  response: AuthenticationResponseJSON,
  challenge: string,
  stored: { credentialId: string; publicKey: Uint8Array<ArrayBuffer>; transports: string[]; userHandle: string },
): Promise<number> {
  const userHandle = response.response.userHandle;
  if (userHandle !== undefined && userHandle !== stored.userHandle) throw passkeyError('passkey_invalid', 'the user handle does not belong to this passkey');
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      expectedType: 'webauthn.get',
      requireUserVerification: true,
      // The counter is judged by the caller, so that a clone gets its own error code.
      credential: { id: stored.credentialId, publicKey: stored.publicKey, counter: 0, transports: stored.transports },
    });
  } catch (error) {
    throw passkeyError('passkey_invalid', `assertion: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
  if (!result.verified) throw passkeyError('passkey_invalid', 'assertion: signature does not verify');
  return result.authenticationInfo.newCounter;
}
