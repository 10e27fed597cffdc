// Read-through cache of the catalogue: the database stays the truth, and a changed registry is seen
// by every hub process within the TTL.
import type { Db } from '../store/database.ts';
import { type Agency, type Dataset, listAgencies, listDatasets } from './repository.ts';

export interface CatalogueSnapshot {
  agencies: Agency[];
  /** In catalogue order. */
  datasets: Dataset[];
  byDataset: Map<string, { dataset: Dataset; agency: Agency }>;
  /** Changes whenever the catalogue does (for ETags). */
  version: number;
}

export class CatalogueCache {
  private snapshot: { at: number; value: CatalogueSnapshot } | undefined;
  private loading: Promise<CatalogueSnapshot> | undefined;
  private version = 0;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 30_000,
  ) {}

  async resolve(datasetId: string): Promise<{ dataset: Dataset; agency: Agency } | undefined> {
    return (await this.current()).byDataset.get(datasetId);
  }

  invalidate(): void {
    this.snapshot = undefined;
  }

  async current(): Promise<CatalogueSnapshot> {
    if (this.snapshot && Date.now() - this.snapshot.at < this.ttlMs) return this.snapshot.value;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<CatalogueSnapshot> {
    const [agencies, datasets] = await Promise.all([listAgencies(this.db), listDatasets(this.db)]);
    const byId = new Map(agencies.map((a) => [a.id, a]));
    const byDataset = new Map<string, { dataset: Dataset; agency: Agency }>();
    for (const dataset of datasets) {
      const agency = byId.get(dataset.agencyId);
      if (agency) byDataset.set(dataset.id, { dataset, agency });
    }
    const previous = this.snapshot?.value;
    const same = previous && JSON.stringify([previous.agencies, previous.datasets]) === JSON.stringify([agencies, datasets]);
    const value: CatalogueSnapshot = { agencies, datasets, byDataset, version: same ? previous.version : ++this.version };
    this.snapshot = { at: Date.now(), value };
    return value;
  }
}
