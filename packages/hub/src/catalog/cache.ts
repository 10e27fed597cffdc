// Read-through cache of the catalogue for the broker's hot path; the database stays the truth and
// a changed registry is seen by every hub process within the TTL.
import type { Db } from '../store/database.ts';
import { type Agency, type Dataset, listAgencies, listDatasets } from './repository.ts';

export class CatalogueCache {
  private snapshot: { at: number; datasets: Map<string, { dataset: Dataset; agency: Agency }> } | undefined;
  private loading: Promise<Map<string, { dataset: Dataset; agency: Agency }>> | undefined;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 30_000,
  ) {}

  async resolve(datasetId: string): Promise<{ dataset: Dataset; agency: Agency } | undefined> {
    return (await this.current()).get(datasetId);
  }

  invalidate(): void {
    this.snapshot = undefined;
  }

  private async current(): Promise<Map<string, { dataset: Dataset; agency: Agency }>> {
    if (this.snapshot && Date.now() - this.snapshot.at < this.ttlMs) return this.snapshot.datasets;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, { dataset: Dataset; agency: Agency }>> {
    const [agencies, datasets] = await Promise.all([listAgencies(this.db), listDatasets(this.db)]);
    const byId = new Map(agencies.map((a) => [a.id, a]));
    const map = new Map<string, { dataset: Dataset; agency: Agency }>();
    for (const dataset of datasets) {
      const agency = byId.get(dataset.agencyId);
      if (agency) map.set(dataset.id, { dataset, agency });
    }
    this.snapshot = { at: Date.now(), datasets: map };
    return map;
  }
}
