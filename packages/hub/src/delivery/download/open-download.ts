// Opens a download in memory with its password: every entry must be AES-encrypted and pass its
// authentication code; contents.zip inside it (index.json and the data set folders) is unpacked in
// turn. Used by the verify command; nothing is written to disk.
import { ERR_INVALID_PASSWORD, type Entry, type FileEntry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { DOWNLOAD_PATHS, type DownloadIndex, downloadIndexSchema } from './download-index.ts';
import { DownloadError } from './errors.ts';

export interface DownloadLimits {
  maxEntries: number;
  maxTotalBytes: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { maxEntries: 3000, maxTotalBytes: 2 * 1024 * 1024 * 1024 };

export interface OpenedDownload {
  /** Every file by its path inside the download, those of contents.zip at the root beside README.txt. */
  files: Map<string, Uint8Array>;
  /** The parsed index.json, or undefined with the reason when it is missing or unreadable. */
  index: DownloadIndex | undefined;
  indexProblem?: string;
}

/** True when the ZIP's directory looks like a download (encrypted entries or an index.json). */
export async function looksLikeDownload(bytes: Uint8Array): Promise<boolean> {
  try {
    const entries = await listEntries(bytes);
    return entries.some((e) => e.encrypted || e.filename === DOWNLOAD_PATHS.index);
  } catch {
    return false;
  }
}

export async function openDownload(bytes: Uint8Array, password: string, limits: DownloadLimits = DEFAULT_DOWNLOAD_LIMITS): Promise<OpenedDownload> {
  const files = await readZip(bytes, password, limits);
  const contents = files.get(DOWNLOAD_PATHS.contents);
  if (contents !== undefined) {
    files.delete(DOWNLOAD_PATHS.contents);
    for (const [path, data] of await readZip(contents, undefined, limits)) {
      if (files.has(path)) throw new DownloadError('not_a_download', `${path} is both in the download and in ${DOWNLOAD_PATHS.contents}`);
      files.set(path, data);
    }
  }
  const { index, problem } = parseIndex(files.get(DOWNLOAD_PATHS.index));
  return { files, index, ...(problem ? { indexProblem: problem } : {}) };
}

/** The encrypted download itself with its password; contents.zip, already authenticated, with none. */
async function readZip(bytes: Uint8Array, password: string | undefined, limits: DownloadLimits): Promise<Map<string, Uint8Array>> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  try {
    return await readEntries(reader, password, limits);
  } finally {
    await reader.close();
  }
}

async function readEntries(reader: ZipReader<Uint8Array>, password: string | undefined, limits: DownloadLimits): Promise<Map<string, Uint8Array>> {
  let entries: Entry[];
  try {
    entries = await reader.getEntries();
  } catch {
    throw new DownloadError('not_a_download', 'the file is not a ZIP archive');
  }
  const fileEntries = entries.filter((e): e is FileEntry => !e.directory);
  if (fileEntries.length === 0) throw new DownloadError('not_a_download', 'the ZIP is empty');
  if (fileEntries.length > limits.maxEntries) throw new DownloadError('download_too_large', `the ZIP has more than ${limits.maxEntries} entries`);
  const total = fileEntries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limits.maxTotalBytes) throw new DownloadError('download_too_large');
  const plain = password === undefined ? undefined : fileEntries.find((e) => !e.encrypted);
  if (plain) throw new DownloadError('not_a_download', `${plain.filename} is not encrypted; a download encrypts every entry`);

  const files = new Map<string, Uint8Array>();
  let damaged: string | undefined;
  for (const entry of fileEntries) {
    try {
      files.set(
        entry.filename,
        await entry.getData(new Uint8ArrayWriter(), password === undefined ? { checkSignature: true } : { password, checkAuthenticationCode: true }),
      );
    } catch (error) {
      // The 2-byte AES password check is what tells a wrong password.
      if ((error as Error).message === ERR_INVALID_PASSWORD) throw new DownloadError('wrong_password');
      damaged ??= entry.filename;
    }
  }
  // A wrong password passes the 2-byte check once in 65,536 tries, then fails authentication; with
  // two entries the other one still says "wrong password" above, so what is left here is damage.
  if (damaged !== undefined) throw new DownloadError('download_damaged', `${damaged} fails its authentication code: the download is damaged or was altered`);
  return files;
}

async function listEntries(bytes: Uint8Array): Promise<Entry[]> {
  const reader = new ZipReader(new Uint8ArrayReader(bytes), { useWebWorkers: false });
  try {
    return await reader.getEntries();
  } finally {
    await reader.close();
  }
}

function parseIndex(bytes: Uint8Array | undefined): { index: DownloadIndex | undefined; problem?: string } {
  if (!bytes) return { index: undefined, problem: `the download has no ${DOWNLOAD_PATHS.index}` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { index: undefined, problem: `${DOWNLOAD_PATHS.index} is not JSON` };
  }
  return parseDownloadIndex(json);
}

export function parseDownloadIndex(json: unknown): { index: DownloadIndex | undefined; problem?: string } {
  const parsed = downloadIndexSchema.safeParse(json);
  if (!parsed.success) return { index: undefined, problem: `${DOWNLOAD_PATHS.index} is invalid: ${parsed.error.issues[0]?.message ?? ''}` };
  return { index: parsed.data };
}
