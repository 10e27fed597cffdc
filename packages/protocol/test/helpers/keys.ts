// ES256 test keys and the JWKS an agency (or the hub) would publish for them.
import { createLocalJWKSet, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function newKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}

/** A key resolver over the public halves of the given keys, as createRemoteJWKSet would be. */
export function jwksOf(...keys: TestKey[]): ReturnType<typeof createLocalJWKSet> {
  return createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) });
}
