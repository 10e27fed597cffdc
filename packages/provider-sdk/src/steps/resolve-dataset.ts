// Step 4: the data set must be one this agency serves.
import type { RequestClaims } from '@openmydata/protocol';
import { ProviderError } from '../errors.ts';
import type { DatasetHandler } from '../types.ts';

export function resolveDataset(claims: RequestClaims, datasets: ReadonlyMap<string, DatasetHandler>): DatasetHandler {
  const dataset = datasets.get(claims.dataset);
  if (!dataset) throw new ProviderError('dataset_unknown');
  return dataset;
}
