// The catalogue as routes and other services see it: agencies and data sets, read through the cache.
import type { CatalogueCache, CatalogueSnapshot } from './cache.ts';
import type { Agency, Dataset } from './repository.ts';

export interface DatasetFilter {
  agencyId?: string | undefined;
  category?: string | undefined;
  /** Matched, case-insensitively, against ids, names and descriptions in both languages. */
  text?: string | undefined;
}

export class CatalogueService {
  constructor(private readonly cache: CatalogueCache) {}

  snapshot(): Promise<CatalogueSnapshot> {
    return this.cache.current();
  }

  async agencies(): Promise<Agency[]> {
    return (await this.cache.current()).agencies;
  }

  async agency(id: string): Promise<Agency | undefined> {
    return (await this.cache.current()).agencies.find((a) => a.id === id);
  }

  async datasets(filter: DatasetFilter = {}): Promise<Dataset[]> {
    const needle = filter.text?.trim().toLowerCase();
    return (await this.cache.current()).datasets.filter(
      (d) =>
        (!filter.agencyId || d.agencyId === filter.agencyId) &&
        (!filter.category || d.category === filter.category) &&
        (!needle || [d.id, d.name['zh-TW'], d.name.en, d.description['zh-TW'], d.description.en].some((s) => s.toLowerCase().includes(needle))),
    );
  }

  async dataset(id: string): Promise<{ dataset: Dataset; agency: Agency } | undefined> {
    return this.cache.resolve(id);
  }

  /** The known data sets among the ids, once each, in the order asked; unknown ids are dropped. */
  async pick(ids: readonly string[]): Promise<Array<{ dataset: Dataset; agency: Agency }>> {
    const snapshot = await this.cache.current();
    return [...new Set(ids)].flatMap((id) => {
      const found = snapshot.byDataset.get(id);
      return found ? [found] : [];
    });
  }

  invalidate(): void {
    this.cache.invalidate();
  }
}
