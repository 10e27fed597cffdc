// The provider's metadata and keys, fetched on first use and kept for the life of the process. A
// failed discovery is not kept, so the method recovers by itself once the provider is back.
import * as client from 'openid-client';
import { toOidcError } from './errors.ts';
import type { ResolvedOidcOptions } from './options.ts';

export type ProviderConfiguration = client.Configuration;

export function createDiscovery(options: ResolvedOidcOptions): () => Promise<ProviderConfiguration> {
  let pending: Promise<ProviderConfiguration> | undefined;
  const discover = async (): Promise<ProviderConfiguration> => {
    const authentication = options.clientPrivateKey ? client.PrivateKeyJwt(options.clientPrivateKey) : client.ClientSecretBasic(options.clientSecret);
    try {
      return await client.discovery(new URL(options.issuer), options.clientId, { client_id: options.clientId }, authentication, {
        execute: [
          // Verify the ID token's signature against the provider's JWKS even though it arrives over the
          // token request: the hub keeps the sign-in as evidence, and the demo's provider is plain HTTP.
          client.enableNonRepudiationChecks,
          // Plain HTTP only where options allowed it: a provider on this machine (the demo's mock IdP).
          ...(options.allowHttp ? [client.allowInsecureRequests] : []),
        ],
        timeout: options.timeoutSeconds,
      });
    } catch (error) {
      throw toOidcError(error, 'discovery');
    }
  };
  return () => {
    pending ??= discover().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
