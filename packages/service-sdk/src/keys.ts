// Making a service provider's keys: a signing key (ES256) and an encryption key (ECDH-ES+A256KW),
// as private JWKs for the service and a public JWKS to register with the hub or serve at jwks_uri.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ServiceKeys } from './types.ts';

export async function generateServiceKeys(): Promise<ServiceKeys> {
  const [signing, encryption] = await Promise.all([
    generateKeyPair('ES256', { extractable: true }),
    generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true }),
  ]);
  const id = randomUUID().slice(0, 8);
  return {
    signing: { ...(await exportJWK(signing.privateKey)), kid: `sig-${id}`, alg: 'ES256', use: 'sig' },
    encryption: { ...(await exportJWK(encryption.privateKey)), kid: `enc-${id}`, alg: 'ECDH-ES+A256KW', use: 'enc' },
  };
}

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** The public halves, as the JWKS the hub is given (inline or at jwks_uri). */
export function publicJwks(keys: ServiceKeys): { keys: JWK[] } {
  const strip = (key: JWK): JWK => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE.includes(name))) as JWK;
  return { keys: [strip(keys.signing), strip(keys.encryption)] };
}
