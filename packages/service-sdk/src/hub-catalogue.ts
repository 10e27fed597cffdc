// The hub's public catalogue as the SDK needs it: where each agency publishes its package-signing
// keys (to check every agency package against the agency itself, not against the hub), and each
// data set's fields. Read once and kept for five minutes.
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Field } from './types.ts';

const TTL_MS = 5 * 60_000;

interface Snapshot {
  at: number;
  agencies: Map<string, string>;
  fields: Map<string, Field[]>;
}

export class HubCatalogue {
  private snapshot: Snapshot | undefined;
  private readonly keySets = new Map<string, { url: string; keys: JWTVerifyGetKey }>();

  constructor(
    private readonly hub: string,
    private readonly doFetch: typeof fetch,
  ) {}

  private async load(): Promise<Snapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < TTL_MS) return this.snapshot;
    const get = async <T>(path: string): Promise<T> => {
      const res = await this.doFetch(new URL(path, this.hub), { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`the hub's catalogue answered ${res.status} for ${path}`);
      return (await res.json()) as T;
    };
    const [agencies, datasets] = await Promise.all([
      get<{ agencies: Array<{ id: string; jwks_url: string }> }>('/api/v1/agencies'),
      get<{ datasets: Array<{ id: string; fields: Field[] }> }>('/api/v1/datasets'),
    ]);
    this.snapshot = {
      at: Date.now(),
      agencies: new Map(agencies.agencies.map((a) => [a.id, a.jwks_url])),
      fields: new Map(datasets.datasets.map((d) => [d.id, d.fields])),
    };
    return this.snapshot;
  }

  /** The agency's published keys, or undefined when the catalogue does not know the agency. */
  async agencyKeys(agency: string): Promise<JWTVerifyGetKey | undefined> {
    const url = (await this.load()).agencies.get(agency);
    if (!url) return undefined;
    let entry = this.keySets.get(agency);
    if (!entry || entry.url !== url) {
      entry = { url, keys: createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 }) };
      this.keySets.set(agency, entry);
    }
    return entry.keys;
  }

  async fields(dataset: string): Promise<Field[]> {
    return (await this.load()).fields.get(dataset) ?? [];
  }
}
