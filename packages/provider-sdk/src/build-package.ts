// The signed package for one data set: data.json, data.pdf and the signed manifest.
import { assemblePackage, PACKAGE_PATHS, type PackageData } from '@openmydata/protocol';
import type { KeyRing } from './key-ring.ts';
import { renderPdf } from './pdf.ts';
import type { DatasetHandler, DatasetRecords, LocalizedText } from './types.ts';

export interface BuildPackageInput {
  agency: { id: string; name: LocalizedText };
  dataset: Pick<DatasetHandler, 'id' | 'name' | 'fields'>;
  records: DatasetRecords['records'];
  transactionId: string;
  consentId: string;
  createdAt: Date;
  keyRing: KeyRing;
}

export async function buildPackage(input: BuildPackageInput): Promise<Buffer> {
  const data: PackageData = {
    agency: input.agency.id,
    dataset: input.dataset.id,
    created_at: input.createdAt.toISOString(),
    records: input.records,
  };
  const pdf = await renderPdf({
    agencyName: input.agency.name,
    datasetName: input.dataset.name,
    fields: input.dataset.fields,
    records: input.records,
    createdAt: input.createdAt,
    transactionId: input.transactionId,
  });
  return assemblePackage(
    [
      { path: PACKAGE_PATHS.data, data: Buffer.from(JSON.stringify(data, null, 2), 'utf8'), mediaType: 'application/json' },
      // PDF streams are already deflated; compressing again costs time and gains nothing.
      { path: PACKAGE_PATHS.pdf, data: pdf, mediaType: 'application/pdf', compress: false },
    ],
    { agency: input.agency.id, dataset: input.dataset.id, transactionId: input.transactionId, consentId: input.consentId, createdAt: input.createdAt },
    input.keyRing.current(),
  );
}
