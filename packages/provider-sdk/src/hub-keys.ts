// The hub's public keys, fetched from its JWKS URL (cached and refreshed by jose).
import { createRemoteJWKSet, errors as joseErrors } from 'jose';
import type { KeyResolver } from '@openmydata/protocol';

/**
 * verifyRequestToken treats every key-resolution failure except a timeout as a bad token. When
 * the hub's JWKS cannot be fetched or read at all, that is our outage, not the hub's mistake, so
 * such failures are passed on as a timeout and answered 503 hub_keys_unavailable.
 */
export function hubKeyResolver(jwksUrl: URL): KeyResolver {
  const remote = createRemoteJWKSet(jwksUrl);
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const unreachable = !(error instanceof joseErrors.JOSEError) || error instanceof joseErrors.JWKSInvalid;
      if (unreachable) throw new joseErrors.JWKSTimeout('hub JWKS unreachable or unreadable', { cause: error });
      throw error;
    }
  };
}
