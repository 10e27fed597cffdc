// The key a delivery is encrypted to: the service provider's encryption key, from its registered
// JWKS or fetched from its jwks_uri (a short timeout, a size cap, cached a minute so a provider's key
// rotation is seen soon). A provider whose keys cannot be had gets no delivery, never a weaker one.
import type { JWK } from 'jose';
import { encryptionKeyOf } from '../../catalog/service-keys.ts';
import type { ServiceProvider } from '../../catalog/service-repository.ts';

export class ServiceKeysUnavailable extends Error {
  override readonly name = 'ServiceKeysUnavailable';
}

const TIMEOUT_MS = 5_000;
const MAX_BYTES = 64 * 1024;
const CACHE_MS = 60_000;

export class ServiceKeyFetcher {
  private readonly cache = new Map<string, { at: number; jwks: { keys: JWK[] } }>();

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async encryptionKey(provider: ServiceProvider): Promise<JWK> {
    const jwks = provider.jwks ? (provider.jwks as { keys: JWK[] }) : await this.fetchJwks(provider.jwksUri as string);
    const key = encryptionKeyOf(jwks);
    if (!key) throw new ServiceKeysUnavailable(`the keys of ${provider.clientId} hold no encryption key (use "enc", EC or X25519)`);
    return key;
  }

  private async fetchJwks(url: string): Promise<{ keys: JWK[] }> {
    const cached = this.cache.get(url);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.jwks;
    let text: string;
    try {
      const res = await this.fetchImpl(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
      if (!res.ok) throw new ServiceKeysUnavailable(`the service's jwks_uri answered HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > MAX_BYTES) throw new ServiceKeysUnavailable('the service’s JWKS is larger than 64 KiB');
      text = body.toString('utf8');
    } catch (error) {
      if (error instanceof ServiceKeysUnavailable) throw error;
      throw new ServiceKeysUnavailable(`the service's jwks_uri could not be reached (${(error as Error).name})`);
    }
    let jwks: unknown;
    try {
      jwks = JSON.parse(text);
    } catch {
      throw new ServiceKeysUnavailable('the service’s jwks_uri did not answer JSON');
    }
    if (!jwks || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys))
      throw new ServiceKeysUnavailable('the service’s jwks_uri did not answer a JWK Set');
    const value = jwks as { keys: JWK[] };
    this.cache.set(url, { at: Date.now(), jwks: value });
    return value;
  }
}
