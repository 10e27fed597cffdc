// What the card does: sign the hub's nonce with the certificate key. ES256 as the hub expects it: ECDSA P-256
// with SHA-256 over the nonce's UTF-8 bytes, signature in IEEE P1363 form (r || s) and base64url.
import { webcrypto } from 'node:crypto';
import { type CitizenCard, type DemoCa, sharedDemoCa } from '../ca/index.ts';

/** What POST /sign answers and the hub's X.509 verifier takes. */
export interface SignedChallenge {
  certificatePem: string;
  /** The issuing CA; the hub holds the root as its trust anchor. */
  chainPem: string[];
  signature: string;
}

/** Only strings shaped like the hub's nonces (32 random bytes, base64url) are signed, so the card cannot be used to sign anything else. */
export const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export async function signNonce(privateKey: webcrypto.CryptoKey, nonce: string): Promise<string> {
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(nonce));
  return Buffer.from(signature).toString('base64url');
}

export async function signWithCard(ca: DemoCa, card: CitizenCard, nonce: string): Promise<SignedChallenge> {
  if (!NONCE_SHAPE.test(nonce)) throw new Error('not a hub nonce');
  return {
    certificatePem: card.certificate.toString('pem'),
    chainPem: [ca.issuing.toString('pem')],
    signature: await signNonce(card.privateKey, nonce),
  };
}

/** For tests: sign as a citizen without HTTP, with the given CA or the process's shared demo CA. */
export async function signNonceAs(nationalId: string, nonce: string, ca?: DemoCa): Promise<SignedChallenge> {
  const authority = ca ?? (await sharedDemoCa());
  const card = authority.cards.get(nationalId);
  if (!card) throw new Error('no demo card for that national ID');
  return signWithCard(authority, card, nonce);
}
