// Checks the DPoP proof (RFC 9449 section 4.3) that must come with every call to the data endpoint,
// as a table of small steps in order. Each failure is an invalid_dpop_proof with a description the
// service can act on; a proof works once (its jti is claimed in the database, any hub process).
import { createHash, createHmac } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, type JWTPayload, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import type { Db } from '../store/database.ts';
import { DPOP_ALGS, ResourceError } from './resource-errors.ts';

/** How far a proof's iat may be from the hub's clock. */
const IAT_WINDOW_S = 60;

export interface ProofInput {
  proof: string | string[] | undefined;
  method: string;
  /** The endpoint as the service addresses it, without query or fragment. */
  url: string;
  accessToken: string;
  /** The thumbprint the access token is bound to. */
  jkt: string | undefined;
}

interface Proof {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
}

const refuse = (description: string) => new ResourceError('invalid_dpop_proof', description);

async function verifySignature(compact: string): Promise<Proof> {
  try {
    const { payload, protectedHeader } = await jwtVerify(compact, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS });
    return { header: protectedHeader, payload };
  } catch {
    throw refuse('the DPoP proof is not a valid dpop+jwt signed by the public key in its header (ES256, PS256 or EdDSA)');
  }
}

function checkClaims(proof: Proof, input: ProofInput, now: number): void {
  const { payload } = proof;
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) throw refuse('the DPoP proof needs a jti');
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > IAT_WINDOW_S) throw refuse('the DPoP proof iat is not within 60 s of now');
  if (payload.htm !== input.method) throw refuse(`the DPoP proof htm must be ${input.method}`);
  const htu = typeof payload.htu === 'string' ? URL.parse(payload.htu) : null;
  if (htu) {
    htu.search = '';
    htu.hash = '';
  }
  if (htu?.href !== input.url) throw refuse(`the DPoP proof htu must be ${input.url}`);
  const ath = createHash('sha256').update(input.accessToken).digest('base64url');
  if (payload.ath !== ath) throw refuse('the DPoP proof ath must be the SHA-256 of this access token');
}

async function checkBinding(proof: Proof, jkt: string | undefined): Promise<void> {
  const thumbprint = await calculateJwkThumbprint(proof.header.jwk as Parameters<typeof calculateJwkThumbprint>[0]);
  if (!jkt || thumbprint !== jkt) throw refuse('the DPoP proof is signed by a key other than the one this access token is bound to');
}

/** Claims the jti: the first use wins, any later one (on any hub process) is a replay. */
async function claimOnce(db: Db, key: Buffer, proof: Proof, now: number): Promise<void> {
  const jtiHash = createHmac('sha256', key)
    .update(`dpop\0${String(proof.payload.jti)}`)
    .digest('base64url');
  const result = await db
    .insertInto('dpop_proofs')
    .values({ jti_hash: jtiHash, expires_at: new Date((now + 2 * IAT_WINDOW_S) * 1000).toISOString() })
    .onConflict((oc) => oc.column('jti_hash').doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) throw refuse('this DPoP proof was used before: make a new one for every call');
}

/** Runs every step; resolves when the proof is good and now spent. */
export async function checkDpopProof(db: Db, key: Buffer, input: ProofInput, now = Date.now() / 1000): Promise<void> {
  if (input.proof === undefined) throw refuse('this access token is DPoP-bound: send a DPoP proof with the call');
  if (Array.isArray(input.proof)) throw refuse('send exactly one DPoP header');
  const proof = await verifySignature(input.proof);
  checkClaims(proof, input, now);
  await checkBinding(proof, input.jkt);
  await claimOnce(db, key, proof, now);
}
