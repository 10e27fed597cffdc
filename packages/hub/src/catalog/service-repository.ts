// Service providers and their services in and out of the database, and the directory the hub reads
// them through (a short cache, so a registration made with the operator command is seen by every
// hub process within seconds).
import type { Db } from '../store/database.ts';
import type { ServiceEntry, ServiceProviderEntry } from './service-registry.ts';

type Localized = { 'zh-TW': string; en: string };

export interface ServiceProvider {
  clientId: string;
  name: Localized;
  /** Inline public keys, or undefined when the provider publishes them at jwksUri. */
  jwks: { keys: Array<Record<string, unknown>> } | undefined;
  jwksUri: string | undefined;
  redirectUris: string[];
}

export interface Service {
  id: string;
  clientId: string;
  name: Localized;
  startUrl: string;
  datasets: string[];
  purpose: Localized;
  retentionDays: number;
  privacyPolicyUrl: string;
  webhookUrl: string | undefined;
}

/** A service id that another provider already registered. */
export class ServiceConflictError extends Error {
  override readonly name = 'ServiceConflictError';
}

export interface ProviderChange {
  created: boolean;
  added: string[];
  updated: string[];
  removed: string[];
}

/** Registers the provider or updates it; its services become those of the entry. */
export async function upsertProvider(db: Db, entry: ServiceProviderEntry, now = new Date()): Promise<ProviderChange> {
  const stamp = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const ids = entry.services.map((s) => s.id);
    const taken = await trx.selectFrom('services').select(['id', 'client_id']).where('id', 'in', ids).where('client_id', '!=', entry.client_id).execute();
    if (taken.length > 0) throw new ServiceConflictError(taken.map((t) => `service ${t.id} is already registered by client ${t.client_id}`).join('; '));
    const existing = await trx.selectFrom('service_providers').select('client_id').where('client_id', '=', entry.client_id).executeTakeFirst();
    const row = {
      client_id: entry.client_id,
      name_zh: entry.name['zh-TW'],
      name_en: entry.name.en,
      jwks: entry.jwks ? JSON.stringify(entry.jwks) : null,
      jwks_uri: entry.jwks_uri ?? null,
      redirect_uris: JSON.stringify(entry.redirect_uris),
      updated_at: stamp,
    };
    const { client_id: _id, ...update } = row;
    await trx
      .insertInto('service_providers')
      .values(row)
      .onConflict((oc) => oc.column('client_id').doUpdateSet(update))
      .execute();
    const before = new Set((await trx.selectFrom('services').select('id').where('client_id', '=', entry.client_id).execute()).map((r) => r.id));
    let position = 0;
    for (const service of entry.services) {
      const values = serviceRow(entry.client_id, service, position++, stamp);
      const { id: _sid, ...serviceUpdate } = values;
      await trx
        .insertInto('services')
        .values(values)
        .onConflict((oc) => oc.column('id').doUpdateSet(serviceUpdate))
        .execute();
    }
    const removed = [...before].filter((id) => !ids.includes(id));
    if (removed.length > 0) await trx.deleteFrom('services').where('id', 'in', removed).execute();
    return {
      created: !existing,
      added: ids.filter((id) => !before.has(id)),
      updated: ids.filter((id) => before.has(id)),
      removed,
    };
  });
}

function serviceRow(clientId: string, service: ServiceEntry, position: number, stamp: string) {
  return {
    id: service.id,
    client_id: clientId,
    name_zh: service.name['zh-TW'],
    name_en: service.name.en,
    start_url: service.start_url,
    datasets: JSON.stringify(service.datasets),
    purpose_zh: service.purpose['zh-TW'],
    purpose_en: service.purpose.en,
    retention_days: service.retention_days,
    privacy_policy_url: service.privacy_policy_url,
    webhook_url: service.webhook_url ?? null,
    position,
    updated_at: stamp,
  };
}

/** Removes a service by its id, or a provider and all its services by its client id. */
export async function removeServiceOrProvider(db: Db, id: string): Promise<{ kind: 'service' | 'provider'; services: string[] } | undefined> {
  return db.transaction().execute(async (trx) => {
    const service = await trx.selectFrom('services').select('id').where('id', '=', id).executeTakeFirst();
    if (service) {
      await trx.deleteFrom('services').where('id', '=', id).execute();
      return { kind: 'service' as const, services: [id] };
    }
    const provider = await trx.selectFrom('service_providers').select('client_id').where('client_id', '=', id).executeTakeFirst();
    if (!provider) return undefined;
    const services = (await trx.selectFrom('services').select('id').where('client_id', '=', id).execute()).map((r) => r.id);
    await trx.deleteFrom('services').where('client_id', '=', id).execute();
    await trx.deleteFrom('service_providers').where('client_id', '=', id).execute();
    return { kind: 'provider' as const, services };
  });
}

export async function listProviders(db: Db): Promise<ServiceProvider[]> {
  const rows = await db.selectFrom('service_providers').selectAll().orderBy('client_id').execute();
  return rows.map((r) => ({
    clientId: r.client_id,
    name: { 'zh-TW': r.name_zh, en: r.name_en },
    jwks: r.jwks ? (JSON.parse(r.jwks) as ServiceProvider['jwks']) : undefined,
    jwksUri: r.jwks_uri ?? undefined,
    redirectUris: JSON.parse(r.redirect_uris) as string[],
  }));
}

export async function listServices(db: Db): Promise<Service[]> {
  const rows = await db.selectFrom('services').selectAll().orderBy('client_id').orderBy('position').execute();
  return rows.map((r) => ({
    id: r.id,
    clientId: r.client_id,
    name: { 'zh-TW': r.name_zh, en: r.name_en },
    startUrl: r.start_url,
    datasets: JSON.parse(r.datasets) as string[],
    purpose: { 'zh-TW': r.purpose_zh, en: r.purpose_en },
    retentionDays: r.retention_days,
    privacyPolicyUrl: r.privacy_policy_url,
    webhookUrl: r.webhook_url ?? undefined,
  }));
}

interface DirectorySnapshot {
  providers: Map<string, ServiceProvider>;
  services: Service[];
  byId: Map<string, Service>;
}

/** The registry as the hub reads it: from the database, cached for a few seconds. */
export class ServiceDirectory {
  private snapshot: { at: number; value: DirectorySnapshot } | undefined;
  private loading: Promise<DirectorySnapshot> | undefined;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5_000,
  ) {}

  async services(): Promise<Service[]> {
    return (await this.current()).services;
  }

  async service(id: string): Promise<Service | undefined> {
    return (await this.current()).byId.get(id);
  }

  async provider(clientId: string): Promise<ServiceProvider | undefined> {
    return (await this.current()).providers.get(clientId);
  }

  invalidate(): void {
    this.snapshot = undefined;
  }

  /**
   * For callers that cannot wait (the history page's names): what was last loaded, refreshed in
   * the background when stale. The hub loads it once at start.
   */
  cachedService(id: string): { service: Service; provider: ServiceProvider | undefined } | undefined {
    if (!this.snapshot || Date.now() - this.snapshot.at >= this.ttlMs) this.current().catch(() => {});
    const value = this.snapshot?.value;
    const service = value?.byId.get(id);
    return service ? { service, provider: value?.providers.get(service.clientId) } : undefined;
  }

  async warm(): Promise<void> {
    await this.current();
  }

  private async current(): Promise<DirectorySnapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < this.ttlMs) return this.snapshot.value;
    this.loading ??= Promise.all([listProviders(this.db), listServices(this.db)])
      .then(([providers, services]) => {
        const value = { providers: new Map(providers.map((p) => [p.clientId, p])), services, byId: new Map(services.map((s) => [s.id, s])) };
        this.snapshot = { at: Date.now(), value };
        return value;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
