// What a service provider's JWKS must hold, checked when it is registered (inline keys) and each
// time the hub fetches it (jwks_uri): public keys only, each named by a kid, one to sign with
// (private_key_jwt, DPoP) and one the hub encrypts deliveries to.
import type { JWK } from 'jose';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const SIGNING_ALGS = new Set(['ES256', 'PS256', 'EdDSA', 'Ed25519']);
/** The key-management algorithm of every delivery; the content is A256GCM. */
export const DELIVERY_KEY_ALG = 'ECDH-ES+A256KW';
export const DELIVERY_ENC = 'A256GCM';

function isSigningKey(key: JWK): boolean {
  if (key.use !== undefined && key.use !== 'sig') return false;
  if (key.alg !== undefined && !SIGNING_ALGS.has(key.alg)) return false;
  if (key.use === undefined && key.alg === undefined) return false;
  return (key.kty === 'EC' && key.crv === 'P-256') || key.kty === 'RSA' || (key.kty === 'OKP' && key.crv === 'Ed25519');
}

export function isEncryptionKey(key: JWK): boolean {
  if (key.use !== undefined && key.use !== 'enc') return false;
  if (key.alg !== undefined && key.alg !== DELIVERY_KEY_ALG) return false;
  if (key.use === undefined && key.alg === undefined) return false;
  return (key.kty === 'EC' && ['P-256', 'P-384', 'P-521'].includes(String(key.crv))) || (key.kty === 'OKP' && key.crv === 'X25519');
}

/** What is wrong with a service provider's JWKS, one line each; empty when it will do. */
export function serviceJwksProblems(jwks: { keys: ReadonlyArray<Record<string, unknown>> }): string[] {
  const problems: string[] = [];
  const keys = jwks.keys as JWK[];
  keys.forEach((key, i) => {
    const leaked = PRIVATE_MEMBERS.filter((m) => m in key);
    if (leaked.length > 0) problems.push(`keys[${i}] holds private key material (${leaked.join(', ')}): publish public keys only`);
    if (typeof key.kid !== 'string' || key.kid === '') problems.push(`keys[${i}] has no kid`);
  });
  const kids = keys.map((k) => k.kid).filter((k) => typeof k === 'string');
  if (new Set(kids).size !== kids.length) problems.push('two keys share a kid');
  if (!keys.some(isSigningKey)) problems.push('no signing key: add one with "use": "sig" (EC P-256 for ES256, RSA for PS256, or Ed25519)');
  if (!keys.some(isEncryptionKey)) problems.push(`no encryption key: add one with "use": "enc" (EC P-256, P-384, P-521 or X25519, for ${DELIVERY_KEY_ALG})`);
  return problems;
}

/** The key the hub encrypts a delivery to: the first encryption key of the provider's JWKS. */
export function encryptionKeyOf(jwks: { keys: readonly JWK[] }): JWK | undefined {
  return jwks.keys.find((k) => isEncryptionKey(k) && !PRIVATE_MEMBERS.some((m) => m in k) && typeof k.kid === 'string');
}
