// A raw ZIP builder for tests: unlike createZip it writes whatever it is told (any name, size,
// method, flag or offset), so tests can hand the reader the hostile archives it must refuse.
import { crc32, deflateRawSync } from 'node:zlib';

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_UTF8 = 0x0800;

export interface RawEntry {
  /** Name in the central directory (a string is written as UTF-8). */
  name: string | Uint8Array;
  /** Name in the local header; defaults to name. */
  localName?: string | Uint8Array;
  /** Bytes after the local header: compressed bytes when the method is 8. */
  body: Uint8Array;
  method: number;
  /** Method in the local header; defaults to method. */
  localMethod?: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Overrides the local header offset the central directory records. */
  localOffset?: number;
  /** false: write only the central entry (point it elsewhere with localOffset). */
  writeLocal?: boolean;
}

export interface RawZipOptions {
  /** Entry counts written in the end record (both fields unless entriesOnDisk is given). */
  count?: number;
  entriesOnDisk?: number;
  diskNumber?: number;
  cdDisk?: number;
  cdOffset?: number;
  cdSize?: number;
  comment?: Uint8Array;
}

function bytesOf(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
}

/** An entry with honest sizes and CRC for content; any field can then be overridden. */
export function rawEntry(name: string | Uint8Array, content: string | Uint8Array, options: Partial<RawEntry> & { deflate?: boolean } = {}): RawEntry {
  const { deflate = false, ...overrides } = options;
  const data = bytesOf(content);
  const body = deflate ? deflateRawSync(data) : data;
  return {
    name,
    body,
    method: deflate ? 8 : 0,
    flags: FLAG_UTF8,
    crc: crc32(data) >>> 0,
    compressedSize: body.length,
    size: data.length,
    ...overrides,
  };
}

/** The local header, name and body of one entry, as they would appear in the archive. */
export function localRecord(entry: RawEntry): Buffer {
  const name = bytesOf(entry.localName ?? entry.name);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_SIG, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(entry.flags, 6);
  header.writeUInt16LE(entry.localMethod ?? entry.method, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(0x21, 12);
  header.writeUInt32LE(entry.crc >>> 0, 14);
  header.writeUInt32LE(entry.compressedSize >>> 0, 18);
  header.writeUInt32LE(entry.size >>> 0, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, name, entry.body]);
}

function centralRecord(entry: RawEntry, offset: number): Buffer {
  const name = bytesOf(entry.name);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(CENTRAL_SIG, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(entry.flags, 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(0, 12);
  header.writeUInt16LE(0x21, 14);
  header.writeUInt32LE(entry.crc >>> 0, 16);
  header.writeUInt32LE(entry.compressedSize >>> 0, 20);
  header.writeUInt32LE(entry.size >>> 0, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt32LE((entry.localOffset ?? offset) >>> 0, 42);
  return Buffer.concat([header, name]);
}

/** Writes the entries' local records, then the central directory, then the end record. */
export function buildRawZip(entries: readonly RawEntry[], options: RawZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    centrals.push(centralRecord(entry, offset));
    if (entry.writeLocal !== false) {
      const record = localRecord(entry);
      locals.push(record);
      offset += record.length;
    }
  }
  const central = Buffer.concat(centrals);
  const comment = Buffer.from(options.comment ?? new Uint8Array());
  const eocd = Buffer.alloc(22);
  const count = options.count ?? entries.length;
  eocd.writeUInt32LE(EOCD_SIG, 0);
  eocd.writeUInt16LE(options.diskNumber ?? 0, 4);
  eocd.writeUInt16LE(options.cdDisk ?? 0, 6);
  eocd.writeUInt16LE(options.entriesOnDisk ?? count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE((options.cdSize ?? central.length) >>> 0, 12);
  eocd.writeUInt32LE((options.cdOffset ?? offset) >>> 0, 16);
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, central, eocd, comment]);
}

/** A small deterministic PRNG (mulberry32) so "random" inputs are the same on every run. */
export function seededBytes(seed: number, length: number): Buffer {
  let state = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}
