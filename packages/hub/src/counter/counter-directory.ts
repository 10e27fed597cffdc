// The counters as pages, the API and the console see them: offices with their local government, and
// each counter service with its data sets resolved in the catalogue. Read through a short cache; the
// database stays the truth, so every hub process sees a registry change within the TTL.
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { Agency, Dataset } from '../catalog/repository.ts';
import type { Db } from '../store/database.ts';
import type { RecipientNames } from '../web/history-names.ts';
import { type Bilingual, type CounterOffice, type CounterService, listOffices, listServices } from './counter-repository.ts';

export interface ResolvedService extends CounterService {
  office: CounterOffice;
  /** The service's data sets found in the catalogue, in the service's order. */
  resolved: Array<{ dataset: Dataset; agency: Agency }>;
  /** Data sets the service names that the catalogue does not have (the service cannot be used then). */
  missing: string[];
}

interface Snapshot {
  offices: CounterOffice[];
  services: CounterService[];
}

export class CounterDirectory {
  private snapshot: { at: number; value: Snapshot } | undefined;
  private loading: Promise<Snapshot> | undefined;

  constructor(
    private readonly db: Db,
    private readonly catalogue: Pick<CatalogueService, 'pick'>,
    private readonly ttlMs = 30_000,
  ) {}

  invalidate(): void {
    this.snapshot = undefined;
  }

  private async current(): Promise<Snapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < this.ttlMs) return this.snapshot.value;
    this.loading ??= Promise.all([listOffices(this.db), listServices(this.db)])
      .then(([offices, services]) => {
        const value = { offices, services };
        this.snapshot = { at: Date.now(), value };
        return value;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  async offices(): Promise<CounterOffice[]> {
    return (await this.current()).offices;
  }

  async office(id: string): Promise<CounterOffice | undefined> {
    return (await this.current()).offices.find((o) => o.id === id);
  }

  /** Every service of every office, resolved, in registry order. */
  async services(): Promise<ResolvedService[]> {
    const { offices, services } = await this.current();
    const byOffice = new Map(offices.map((o) => [o.id, o]));
    const out: ResolvedService[] = [];
    for (const office of offices) {
      for (const service of services.filter((s) => s.officeId === office.id)) out.push(await this.resolve(service, byOffice));
    }
    return out;
  }

  async service(id: string): Promise<ResolvedService | undefined> {
    const { offices, services } = await this.current();
    const service = services.find((s) => s.id === id);
    return service && offices.some((o) => o.id === service.officeId) ? this.resolve(service, new Map(offices.map((o) => [o.id, o]))) : undefined;
  }

  private async resolve(service: CounterService, offices: Map<string, CounterOffice>): Promise<ResolvedService> {
    const resolved = await this.catalogue.pick(service.datasets);
    const found = new Set(resolved.map((r) => r.dataset.id));
    return { ...service, office: offices.get(service.officeId) as CounterOffice, resolved, missing: service.datasets.filter((d) => !found.has(d)) };
  }

  /**
   * Names for the history page: a counter consent's recipient is the counter service (shown as
   * "office · service"); a clerk's refused attempt names the clerk's office. Synchronous, so it
   * reads the last snapshot; the history page loads one first (see warm()).
   */
  recipientNames(): RecipientNames {
    return {
      nameOf: (kind, id) => {
        if (kind !== 'counter' || !this.snapshot) return undefined;
        const { offices, services } = this.snapshot.value;
        const service = services.find((s) => s.id === id);
        const office = offices.find((o) => o.id === (service ? service.officeId : id));
        if (!office) return undefined;
        return service
          ? { 'zh-TW': `${office.name['zh-TW']}・${service.name['zh-TW']}`, en: `${office.name.en} · ${service.name.en}` }
          : { 'zh-TW': office.name['zh-TW'], en: office.name.en };
      },
    };
  }

  /** Loads the snapshot the synchronous names read. */
  async warm(): Promise<void> {
    await this.current();
  }
}

export type { Bilingual };
