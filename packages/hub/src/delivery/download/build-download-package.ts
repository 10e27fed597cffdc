// Mode 1's download: one AES-256 encrypted ZIP (WinZip AE-2, via zip.js) holding a README and
// contents.zip; contents.zip holds a non-personal index and, per data set, the agency's signed
// package exactly as received plus its PDF and JSON. Two encrypted entries rather than one per file:
// each AES entry costs a PBKDF2 key derivation, most of the hub's CPU for a download.
// Everything happens in memory; the caller stores the returned ciphertext.
// The password lives only in this call's frame and the ZIP writer's options, both dropped on return.
import { PACKAGE_PATHS, sha256Hex } from '@openmydata/protocol';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import type { DatasetOutcome } from '../../broker/outcome.ts';
import { DOWNLOAD_FORMAT, DOWNLOAD_PATHS, type DownloadIndex, folderOf, SLUG } from './download-index.ts';
import { DownloadError } from './errors.ts';
import { checkDownloadPassword } from './password.ts';
import { renderReadme } from './readme.ts';

export interface LocalizedName {
  'zh-TW': string;
  en: string;
}

export interface BuildDownloadOptions {
  /** The broker's outcomes; only 'ok' ones are packed. */
  outcomes: readonly DatasetOutcome[];
  password: string;
  /** Catalogue entries for the agencies concerned (the catalogue's Agency fits). */
  agencies: ReadonlyMap<string, { name: LocalizedName; jwksUrl: string }>;
  datasets: ReadonlyMap<string, { name: LocalizedName }>;
  createdAt: Date;
  /** A non-personal reference shown in the README and index (e.g. the transaction's short id). */
  transactionLabel?: string;
}

type OkOutcome = Extract<DatasetOutcome, { status: 'ok' }>;

interface Item {
  agency: string;
  dataset: string;
  archive: Uint8Array;
  pdf: Uint8Array;
  data: Uint8Array;
  outcome: OkOutcome;
}

const MAX_LABEL_LENGTH = 120;

/** Builds the encrypted download. Throws DownloadError for a bad password or unusable outcomes. */
export async function buildDownloadPackage(options: BuildDownloadOptions): Promise<Uint8Array> {
  const password = checkDownloadPassword(options.password);
  const items = packableItems(options.outcomes);
  const index = describeDownload(items, options);
  const readme = renderReadme(index);
  const contents = await zipOf(undefined, options.createdAt, [
    { name: DOWNLOAD_PATHS.index, data: new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`), compress: true },
    ...items.flatMap((item) => {
      const folder = folderOf(item.agency, item.dataset);
      return [
        // Already deflated by the agency: stored, so the bytes inside stay exactly the agency's.
        { name: `${folder}${DOWNLOAD_PATHS.package}`, data: item.archive, compress: false },
        { name: `${folder}${DOWNLOAD_PATHS.pdf}`, data: item.pdf, compress: false },
        { name: `${folder}${DOWNLOAD_PATHS.data}`, data: item.data, compress: true },
      ];
    }),
  ]);
  return zipOf(password, options.createdAt, [
    { name: DOWNLOAD_PATHS.readme, data: readme, compress: true },
    // Its entries are compressed already where that helps.
    { name: DOWNLOAD_PATHS.contents, data: contents, compress: false },
  ]);
}

/** The verified outcomes in a stable order (agency, then data set), each with its two readable files. */
function packableItems(outcomes: readonly DatasetOutcome[]): Item[] {
  const items: Item[] = [];
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    // The signed manifest names agency and data set; the broker already bound them to the request.
    const { agency, dataset } = outcome.package.manifest;
    if (!SLUG.test(agency) || !SLUG.test(dataset)) throw new DownloadError('unsafe_name');
    if (seen.has(dataset)) throw new DownloadError('duplicate_dataset', `data set ${dataset} appears twice`);
    seen.add(dataset);
    const pdf = outcome.package.files.get(PACKAGE_PATHS.pdf);
    const data = outcome.package.files.get(PACKAGE_PATHS.data);
    if (!pdf || !data) throw new DownloadError('package_incomplete', `package for ${dataset} lacks data.json or data.pdf`);
    items.push({ agency, dataset, archive: outcome.archive, pdf, data, outcome });
  }
  if (items.length === 0) throw new DownloadError('no_packages');
  return items.sort((a, b) => compare(a.agency, b.agency) || compare(a.dataset, b.dataset));
}

function describeDownload(items: Item[], options: BuildDownloadOptions): DownloadIndex {
  const agencyIds = [...new Set(items.map((i) => i.agency))];
  const agencies = agencyIds.map((id) => {
    const agency = options.agencies.get(id);
    if (!agency) throw new DownloadError('agency_unknown', `agency ${id} is not in the catalogue`);
    return { id, name: { 'zh-TW': agency.name['zh-TW'], en: agency.name.en }, jwks_url: agency.jwksUrl };
  });
  const label = cleanLabel(options.transactionLabel);
  return {
    format: DOWNLOAD_FORMAT,
    version: 1,
    created_at: options.createdAt.toISOString(),
    ...(label ? { label } : {}),
    agencies,
    datasets: items.map((item) => {
      const name = options.datasets.get(item.dataset)?.name ?? { 'zh-TW': item.dataset, en: item.dataset };
      const folder = folderOf(item.agency, item.dataset);
      const { manifest, kid } = item.outcome.package;
      return {
        id: item.dataset,
        agency: item.agency,
        name: { 'zh-TW': name['zh-TW'], en: name.en },
        folder,
        package: { path: `${folder}${DOWNLOAD_PATHS.package}`, sha256: sha256Hex(item.archive), size: item.archive.byteLength },
        signature: { kid, signed_at: manifest.created_at, transaction_id: manifest.transaction_id },
        files: manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, media_type: f.media_type })),
      };
    }),
  };
}

/** A ZIP of the entries: AES-256 encrypted with the password, or plain when there is none. */
async function zipOf(password: string | undefined, date: Date, entries: Array<{ name: string; data: Uint8Array; compress: boolean }>): Promise<Uint8Array> {
  // Sized for the inputs up front: growing the output buffer by copies costs more than the encryption.
  const expected = entries.reduce((sum, e) => sum + e.data.byteLength + 2 * e.name.length + 200, 64 * 1024);
  const writer = new ZipWriter(new Uint8ArrayWriter(expected), {
    ...(password === undefined ? {} : { password, encryptionStrength: 3 as const, zipCrypto: false }),
    useWebWorkers: false,
    lastModDate: date,
  });
  try {
    // Entries compress and encrypt concurrently; zip.js still writes them in the order added.
    await Promise.all(entries.map((e) => writer.add(e.name, new Uint8ArrayReader(e.data), { level: e.compress ? 6 : 0 })));
    return await writer.close();
  } catch (error) {
    // zip.js's messages never hold the password, but keep ours uniform and free of its internals.
    throw new Error(`could not build the download ZIP: ${(error as Error).message}`, { cause: error });
  }
}

function cleanLabel(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const cleaned = label
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .trim()
    .slice(0, MAX_LABEL_LENGTH);
  return cleaned === '' ? undefined : cleaned;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
