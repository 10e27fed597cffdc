// The hub's public keys, fetched from its JWKS URL, cached, and fetched again (at most every 30 s)
// when a token names a kid the cache lacks. Whether a failure is the token's fault or an outage is
// decided by verifyRequestToken.
import { createRemoteJWKSet } from 'jose';
import type { KeyResolver } from '@openmydata/protocol';

export function hubKeyResolver(jwksUrl: URL): KeyResolver {
  return createRemoteJWKSet(jwksUrl, { timeoutDuration: 5000, cooldownDuration: 30_000 });
}
