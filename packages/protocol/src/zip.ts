// A small, strict ZIP writer and reader for signed packages. We own the parser because a package
// arrives from another organisation: every structural field is checked before any byte is inflated,
// and inflation is bounded by the size the archive declares.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntryInput {
  name: string;
  data: Uint8Array;
  /** Deflate the entry (default true). PDFs and PNGs gain little and may be stored. */
  compress?: boolean;
}

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio allowed for entries above ratioFloorBytes. */
  maxCompressionRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 64,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioFloorBytes: 64 * 1024,
};

/** Every code the reader refuses an archive with (docs/provider-api.md section 9). */
export const ZIP_ERROR_CODES = [
  'zip_malformed',
  'zip_unsupported',
  'zip_unsafe_name',
  'zip_duplicate_name',
  'zip_too_many_entries',
  'zip_too_large',
  'zip_ratio',
  'zip_crc',
] as const;
export type ZipErrorCode = (typeof ZIP_ERROR_CODES)[number];

export class ZipError extends Error {
  override readonly name = 'ZipError';
  constructor(
    readonly code: ZipErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
const FLAG_UTF8 = 0x0800;
const FLAG_ENCRYPTED = 0x0001;
// 1980-01-01 00:00: a fixed timestamp keeps archives byte-for-byte reproducible.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function createZip(entries: readonly ZipEntryInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    assertSafeEntryName(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const raw = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    const deflate = entry.compress !== false;
    const body = deflate ? deflateRawSync(raw) : raw;
    const crc = crc32(raw) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_SIG, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_SIG, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(FLAG_UTF8, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD_SIG, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(centralBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, eocd]);
}

/** Throws ZipError unless the name is a plain relative path inside the archive. */
export function assertSafeEntryName(name: string): void {
  const unsafe =
    name.length === 0 ||
    name.length > 255 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    /^[A-Za-z]:/.test(name) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
    /[\u0000-\u001f\u007f]/.test(name) ||
    name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (unsafe) throw new ZipError('zip_unsafe_name', `unsafe entry name ${JSON.stringify(name.slice(0, 80))}`);
}

interface CentralEntry {
  name: string;
  nameBytes: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  flags: number;
  /** Directory entries carry no data but still occupy bytes in the archive. */
  directory: boolean;
}

const FLAG_DATA_DESCRIPTOR = 0x0008;
const DESCRIPTOR_SIG = 0x08074b50;

/** Reads every entry of an archive into memory, enforcing limits before and during inflation. */
export function readZip(archive: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Buffer> {
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const { entries: central, cdOffset } = readCentralDirectory(buf, limits);
  const spans: Array<[number, number]> = [];
  const out = new Map<string, Buffer>();
  for (const entry of central) {
    const start = dataStart(buf, entry);
    const end = start + entry.compressedSize;
    if (end > buf.length) throw new ZipError('zip_malformed', `entry ${entry.name} runs past the archive`);
    spans.push([entry.localOffset, end + descriptorLength(buf, entry, end)]);
    if (entry.directory) continue;
    const body = buf.subarray(start, end);
    let data: Buffer;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw new ZipError('zip_malformed', `stored entry ${entry.name} sizes differ`);
      data = Buffer.from(body);
    } else {
      try {
        // One byte of headroom lets us tell "exactly the declared size" from "more than declared".
        data = inflateRawSync(body, { maxOutputLength: Math.max(entry.size, 1) + 1 });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new ZipError('zip_too_large', `entry ${entry.name} inflates past its declared size`);
        }
        throw new ZipError('zip_malformed', `entry ${entry.name} does not inflate`);
      }
    }
    if (data.length !== entry.size) throw new ZipError('zip_too_large', `entry ${entry.name} inflates to a size other than declared`);
    if (crc32(data) >>> 0 !== entry.crc) throw new ZipError('zip_crc', `entry ${entry.name} fails its CRC`);
    out.set(entry.name, data);
  }
  checkCoverage(spans, cdOffset);
  return out;
}

/**
 * Entries must tile the archive from byte 0 to the central directory with nothing between them.
 * Overlaps are the trick behind non-recursive zip bombs; uncovered bytes could hide a second,
 * unsigned file that a reader working from local headers would show.
 */
function checkCoverage(spans: Array<[number, number]>, cdOffset: number): void {
  spans.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) throw new ZipError('zip_malformed', 'entries overlap');
    if (start > at) throw new ZipError('zip_malformed', 'the archive holds bytes outside any entry');
    at = end;
  }
  if (at !== cdOffset) throw new ZipError('zip_malformed', 'the archive holds bytes outside any entry');
}

/** Length of the data descriptor that follows an entry's data when flag bit 3 says there is one. */
function descriptorLength(buf: Buffer, entry: CentralEntry, end: number): number {
  if (!(entry.flags & FLAG_DATA_DESCRIPTOR)) return 0;
  return end + 4 <= buf.length && buf.readUInt32LE(end) === DESCRIPTOR_SIG ? 16 : 12;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  const floor = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= floor; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new ZipError('zip_malformed', 'not a ZIP archive (no end of central directory)');
}

function readCentralDirectory(buf: Buffer, limits: ZipLimits): { entries: CentralEntry[]; cdOffset: number } {
  if (buf.length < 22) throw new ZipError('zip_malformed', 'not a ZIP archive (too short)');
  const eocd = findEndOfCentralDirectory(buf);
  const diskNumber = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const entriesOnDisk = buf.readUInt16LE(eocd + 8);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (diskNumber !== 0 || cdDisk !== 0 || entriesOnDisk !== count) throw new ZipError('zip_unsupported', 'multi-disk archives are not accepted');
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new ZipError('zip_unsupported', 'ZIP64 archives are not accepted');
  if (count > limits.maxEntries) throw new ZipError('zip_too_many_entries', `archive has ${count} entries, at most ${limits.maxEntries} allowed`);
  if (cdOffset + cdSize > eocd) throw new ZipError('zip_malformed', 'central directory out of bounds');

  const entries: CentralEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || buf.readUInt32LE(p) !== CENTRAL_SIG) throw new ZipError('zip_malformed', 'bad central directory entry');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cdOffset + cdSize) throw new ZipError('zip_malformed', 'central directory entry out of bounds');
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLength);
    const name = decodeName(nameBytes, flags);
    p = next;
    if (flags & FLAG_ENCRYPTED) throw new ZipError('zip_unsupported', `entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) throw new ZipError('zip_unsupported', `entry ${name} uses compression method ${method}`);
    const isDirectory = name.endsWith('/') && size === 0;
    assertSafeEntryName(isDirectory ? name.slice(0, -1) : name);
    if (isDirectory) {
      // A directory entry carries nothing, but its name must be safe and its bytes accounted for.
      entries.push({ name, nameBytes, method, crc, compressedSize, size, localOffset, flags, directory: true });
      continue;
    }
    // Names are compared case-insensitively and normalised, so no two entries can land on one file.
    const key = name.normalize('NFC').toLowerCase();
    if (seen.has(key)) throw new ZipError('zip_duplicate_name', `entry ${name} appears twice`);
    seen.add(key);
    if (size > limits.maxEntryBytes) throw new ZipError('zip_too_large', `entry ${name} is ${size} bytes, at most ${limits.maxEntryBytes} allowed`);
    total += size;
    if (total > limits.maxTotalBytes) throw new ZipError('zip_too_large', `archive inflates past ${limits.maxTotalBytes} bytes`);
    if (size > limits.ratioFloorBytes && size / Math.max(compressedSize, 1) > limits.maxCompressionRatio) {
      throw new ZipError('zip_ratio', `entry ${name} compresses more than ${limits.maxCompressionRatio}:1`);
    }
    entries.push({ name, nameBytes, method, crc, compressedSize, size, localOffset, flags, directory: false });
  }
  // The count in the end record must account for every central directory byte.
  if (p !== cdOffset + cdSize) throw new ZipError('zip_malformed', 'central directory holds more than its count says');
  return { entries, cdOffset };
}

function decodeName(bytes: Buffer, flags: number): string {
  if (!(flags & FLAG_UTF8) && bytes.some((b) => b > 0x7f)) {
    throw new ZipError('zip_unsupported', 'entry names must be ASCII or flagged UTF-8');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ZipError('zip_malformed', 'entry name is not valid UTF-8');
  }
}

function dataStart(buf: Buffer, entry: CentralEntry): number {
  const p = entry.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL_SIG) throw new ZipError('zip_malformed', `bad local header for ${entry.name}`);
  const nameLength = buf.readUInt16LE(p + 26);
  const extraLength = buf.readUInt16LE(p + 28);
  const localName = buf.subarray(p + 30, p + 30 + nameLength);
  // A local name that differs from the central one is how some extraction exploits hide a path;
  // bytes are compared, not decoded text, so no two spellings can pass as one.
  if (!localName.equals(entry.nameBytes)) throw new ZipError('zip_malformed', `local and central names differ for ${entry.name}`);
  if (buf.readUInt16LE(p + 8) !== entry.method) throw new ZipError('zip_malformed', `local and central methods differ for ${entry.name}`);
  return p + 30 + nameLength + extraLength;
}
