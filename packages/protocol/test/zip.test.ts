import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { assertSafeEntryName, createZip, DEFAULT_ZIP_LIMITS, readZip, ZipError, type ZipErrorCode, type ZipLimits } from '../src/zip.ts';
import { withInflateSpy } from './helpers/inflate-spy.ts';
import { buildRawZip, FLAG_ENCRYPTED, FLAG_UTF8, localRecord, rawEntry, seededBytes } from './helpers/raw-zip.ts';

function zipErrorOf(fn: () => unknown): ZipError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ZipError, `expected a ZipError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ZipError, nothing was thrown');
}

function assertRefused(archive: Uint8Array, code: ZipErrorCode, limits?: ZipLimits): ZipError {
  const error = zipErrorOf(() => readZip(archive, limits));
  assert.equal(error.code, code, error.message);
  return error;
}

const limits = (overrides: Partial<ZipLimits>): ZipLimits => ({ ...DEFAULT_ZIP_LIMITS, ...overrides });

const MiB = 1024 * 1024;
let bombBody: Buffer | undefined;
/** 50 MiB of zeros, deflated once (about 50 KiB) and shared. */
function bomb(): Buffer {
  bombBody ??= deflateRawSync(Buffer.alloc(50 * MiB));
  return bombBody;
}

describe('createZip and readZip round trip', () => {
  const json = Buffer.from(JSON.stringify({ records: [{ name: '王小明', city: '臺北市' }] }), 'utf8');
  const binary = seededBytes(7, 100_000);

  it('returns every entry byte for byte, stored and deflated, with UTF-8 names', () => {
    const entries = [
      { name: 'data.json', data: json },
      { name: '資料/戶籍謄本.json', data: json, compress: true },
      { name: 'data.pdf', data: binary, compress: false },
      { name: 'random.bin', data: binary, compress: true },
      { name: 'empty-stored.txt', data: new Uint8Array(), compress: false },
      { name: 'empty-deflated.txt', data: new Uint8Array(), compress: true },
      { name: 'META-INF/manifest.json', data: Buffer.from('{}') },
    ];
    const files = readZip(createZip(entries));
    assert.deepEqual(
      [...files.keys()],
      entries.map((e) => e.name),
    );
    for (const entry of entries) {
      assert.deepEqual(files.get(entry.name), Buffer.from(entry.data), entry.name);
    }
    assert.equal(files.get('empty-stored.txt')?.length, 0);
    assert.equal(files.get('empty-deflated.txt')?.length, 0);
  });

  it('deflates by default and stores when asked', () => {
    const zeros = Buffer.alloc(10_000);
    const deflated = createZip([{ name: 'z', data: zeros }]);
    const stored = createZip([{ name: 'z', data: zeros, compress: false }]);
    assert.ok(deflated.length < 1000, `deflated archive is ${deflated.length} bytes`);
    assert.ok(stored.length > 10_000);
    // Method field of the local header: 8 deflate, 0 stored.
    assert.equal(deflated.readUInt16LE(8), 8);
    assert.equal(stored.readUInt16LE(8), 0);
  });

  it('flags names as UTF-8 so other tools read Chinese names', () => {
    const archive = createZip([{ name: '戶籍.json', data: json }]);
    assert.equal(archive.readUInt16LE(6) & FLAG_UTF8, FLAG_UTF8);
    assert.equal(archive.subarray(30, 30 + archive.readUInt16LE(26)).toString('utf8'), '戶籍.json');
  });

  it('is reproducible: the same entries give the same bytes', () => {
    const entries = [
      { name: 'a.json', data: json },
      { name: 'b.pdf', data: binary, compress: false },
    ];
    assert.deepEqual(createZip(entries), createZip(entries));
  });

  it('writes only the bytes of a Uint8Array view and reads an archive that is a view', () => {
    const backing = Buffer.from('XXXXhello worldYYYY');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 11);
    const archive = createZip([{ name: 'v.txt', data: view }]);
    const padded = Buffer.concat([Buffer.from('garbage before'), archive, Buffer.from('after')]);
    const inner = new Uint8Array(padded.buffer, padded.byteOffset + 14, archive.length);
    assert.equal(readZip(inner).get('v.txt')?.toString(), 'hello world');
  });

  it('reads an empty archive as no entries', () => {
    assert.equal(readZip(createZip([])).size, 0);
  });

  it('accepts an archive comment', () => {
    const archive = buildRawZip([rawEntry('a.txt', 'hello')], { comment: Buffer.from('made by hand') });
    assert.equal(readZip(archive).get('a.txt')?.toString(), 'hello');
  });

  it('skips directory entries and returns only files', () => {
    const archive = buildRawZip([rawEntry('META-INF/', ''), rawEntry('META-INF/manifest.json', '{}')]);
    assert.deepEqual([...readZip(archive).keys()], ['META-INF/manifest.json']);
  });

  it('accepts exactly maxEntries entries and an entry of exactly maxEntryBytes', () => {
    const three = [1, 2, 3].map((i) => ({ name: `f${i}`, data: Buffer.from(String(i)) }));
    assert.equal(readZip(createZip(three), limits({ maxEntries: 3 })).size, 3);
    const exact = createZip([{ name: 'x', data: seededBytes(1, 1000) }]);
    assert.equal(readZip(exact, limits({ maxEntryBytes: 1000, maxTotalBytes: 1000 })).get('x')?.length, 1000);
  });
});

describe('entry names', () => {
  const unsafe = [
    '',
    '../x',
    'a/../../x',
    'a/..',
    '..',
    './x',
    '.',
    '/etc/passwd',
    'C:\\x',
    'C:x',
    'c:/windows/x',
    'a\\b',
    '..\\x',
    'a\u0000b',
    'a\nb',
    'a\u007fb',
    'a//b',
    'dir/',
    'x'.repeat(256),
  ];
  const safe = ['data.json', 'data.pdf', 'META-INF/manifest.json', '資料/戶籍謄本.json', 'a..b', '.hidden', 'x'.repeat(255)];

  it('assertSafeEntryName accepts plain relative paths', () => {
    for (const name of safe) assert.doesNotThrow(() => assertSafeEntryName(name), name);
  });

  it('assertSafeEntryName refuses absolute, parent, backslash, drive, control and empty names', () => {
    for (const name of unsafe) {
      assert.equal(zipErrorOf(() => assertSafeEntryName(name)).code, 'zip_unsafe_name', JSON.stringify(name));
    }
  });

  it('createZip refuses to write an unsafe name', () => {
    for (const name of unsafe) {
      assert.equal(zipErrorOf(() => createZip([{ name, data: Buffer.from('x') }])).code, 'zip_unsafe_name', JSON.stringify(name));
    }
  });

  it('readZip refuses an archive holding an unsafe name', () => {
    for (const name of unsafe.filter((n) => !n.endsWith('/'))) {
      assertRefused(buildRawZip([rawEntry(name, 'x')]), 'zip_unsafe_name');
    }
  });

  it('readZip refuses a traversal name hidden after a safe entry', () => {
    assertRefused(buildRawZip([rawEntry('data.json', '{}'), rawEntry('../../.bashrc', 'evil', { deflate: true })]), 'zip_unsafe_name');
  });

  it('refuses non-ASCII names without the UTF-8 flag', () => {
    assertRefused(buildRawZip([rawEntry(Buffer.from([0x61, 0xe9, 0x62]), 'x', { flags: 0 })]), 'zip_unsupported');
  });

  it('accepts ASCII names without the UTF-8 flag', () => {
    assert.equal(
      readZip(buildRawZip([rawEntry('plain.txt', 'x', { flags: 0 })]))
        .get('plain.txt')
        ?.toString(),
      'x',
    );
  });

  it('refuses names that are not valid UTF-8', () => {
    assertRefused(buildRawZip([rawEntry(Buffer.from([0x61, 0xff, 0x62]), 'x')]), 'zip_malformed');
  });

  it('refuses a directory entry whose name climbs out of the archive', () => {
    assertRefused(buildRawZip([rawEntry('../../evil/', ''), rawEntry('data.json', '{}')]), 'zip_unsafe_name');
  });
});

describe('duplicate names', () => {
  it('refuses the same name twice', () => {
    assertRefused(buildRawZip([rawEntry('data.json', '{"a":1}'), rawEntry('data.json', '{"a":2}')]), 'zip_duplicate_name');
  });

  it('refuses names that differ only in case', () => {
    assertRefused(buildRawZip([rawEntry('data.json', '{}'), rawEntry('DATA.JSON', '{}')]), 'zip_duplicate_name');
    assertRefused(buildRawZip([rawEntry('META-INF/manifest.json', '{}'), rawEntry('meta-inf/Manifest.json', '{}')]), 'zip_duplicate_name');
  });

  it('refuses names that differ only in Unicode normalisation', () => {
    const composed = 'caf\u00e9.json';
    const decomposed = 'cafe\u0301.json';
    assert.notEqual(composed, decomposed);
    assertRefused(buildRawZip([rawEntry(composed, '1'), rawEntry(decomposed, '2')]), 'zip_duplicate_name');
  });
});

describe('entry count and structure', () => {
  it('refuses more entries than maxEntries', () => {
    const entries = Array.from({ length: DEFAULT_ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') }));
    assertRefused(createZip(entries), 'zip_too_many_entries');
    assertRefused(createZip(entries.slice(0, 4)), 'zip_too_many_entries', limits({ maxEntries: 3 }));
  });

  it('refuses a count in the end record that the central directory does not hold', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { count: 2 }), 'zip_malformed');
  });

  it('refuses ZIP64 markers and multi-disk archives', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { count: 0xffff }), 'zip_unsupported');
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { cdOffset: 0xffffffff }), 'zip_unsupported');
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { cdSize: 0xffffffff }), 'zip_unsupported');
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { diskNumber: 1 }), 'zip_unsupported');
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { cdDisk: 1 }), 'zip_unsupported');
    assertRefused(buildRawZip([rawEntry('a.txt', 'x'), rawEntry('b.txt', 'y')], { entriesOnDisk: 1 }), 'zip_unsupported');
  });

  it('refuses a central directory that lies outside the archive', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { cdOffset: 10_000 }), 'zip_malformed');
    assertRefused(buildRawZip([rawEntry('a.txt', 'x')], { cdSize: 10_000 }), 'zip_malformed');
  });

  it('refuses a local header offset past the end or at something that is not a local header', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'x', { localOffset: 100_000 })]), 'zip_malformed');
    assertRefused(buildRawZip([rawEntry('a.txt', 'hello world', { localOffset: 3 })]), 'zip_malformed');
  });

  it('refuses entry data that runs past the archive', () => {
    const archive = buildRawZip([rawEntry('a.txt', 'hello', { compressedSize: 5000, size: 5000 })]);
    assertRefused(archive, 'zip_malformed');
  });

  it('refuses overlapping entries', () => {
    // The inner entry's local record sits inside the outer entry's stored data, so both read cleanly
    // and only the overlap gives the trick away (the shape of a non-recursive zip bomb).
    const inner = rawEntry('inner.txt', 'shared bytes');
    const outerName = 'outer.bin';
    const outer = rawEntry(outerName, localRecord(inner));
    const archive = buildRawZip([outer, { ...inner, writeLocal: false, localOffset: 30 + Buffer.byteLength(outerName) }]);
    assertRefused(archive, 'zip_malformed');
  });

  it('refuses two central entries that share one local record', () => {
    const entry = rawEntry('a.txt', 'x');
    assertRefused(buildRawZip([entry, { ...entry, name: 'b.txt', writeLocal: false, localOffset: 0 }]), 'zip_malformed');
  });

  it('refuses a local name that differs from the central name', () => {
    assertRefused(buildRawZip([rawEntry('safe.txt', 'x', { localName: '../evil.txt' })]), 'zip_malformed');
    assertRefused(buildRawZip([rawEntry('data.json', 'x', { localName: 'data.jso' })]), 'zip_malformed');
  });

  it('refuses a local name whose bytes differ even when both decode alike', () => {
    // 0xff is not UTF-8; a lenient decode turns it into U+FFFD, which the central name spells validly.
    const archive = buildRawZip([rawEntry('a\ufffd.txt', 'x', { localName: Buffer.from([0x61, 0xff, 0x2e, 0x74, 0x78, 0x74]) })]);
    assertRefused(archive, 'zip_malformed');
  });

  it('refuses a local method that differs from the central method', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'hello', { deflate: true, localMethod: 0 })]), 'zip_malformed');
  });

  it('refuses a stored entry whose two sizes differ', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'hello', { size: 4 })]), 'zip_malformed');
  });
});

describe('methods and flags', () => {
  it('refuses encrypted entries', () => {
    assertRefused(buildRawZip([rawEntry('a.txt', 'x', { flags: FLAG_UTF8 | FLAG_ENCRYPTED })]), 'zip_unsupported');
  });

  it('refuses methods other than stored and deflate', () => {
    for (const method of [1, 9, 12, 14, 93, 99]) {
      assertRefused(buildRawZip([rawEntry('a.txt', 'hello', { method })]), 'zip_unsupported');
    }
  });
});

describe('size limits and zip bombs', () => {
  it('refuses an entry larger than maxEntryBytes', () => {
    assertRefused(createZip([{ name: 'big', data: seededBytes(2, 1001) }]), 'zip_too_large', limits({ maxEntryBytes: 1000 }));
  });

  it('refuses a declared size above maxEntryBytes before inflating anything', () => {
    const archive = buildRawZip([rawEntry('big', 'tiny', { deflate: true, size: DEFAULT_ZIP_LIMITS.maxEntryBytes + 1 })]);
    withInflateSpy((calls) => {
      assertRefused(archive, 'zip_too_large');
      assert.equal(calls.length, 0);
    });
  });

  it('refuses archives whose entries together exceed maxTotalBytes', () => {
    const entries = [1, 2].map((i) => ({ name: `f${i}`, data: seededBytes(i, 1000) }));
    assertRefused(createZip(entries), 'zip_too_large', limits({ maxTotalBytes: 1500 }));
    assert.equal(readZip(createZip(entries), limits({ maxTotalBytes: 2000 })).size, 2);
  });

  it('refuses a 50 MiB zip bomb by its ratio, without inflating', () => {
    const archive = buildRawZip([rawEntry('data.json', Buffer.alloc(0), { body: bomb(), method: 8, compressedSize: bomb().length, size: 50 * MiB })]);
    withInflateSpy((calls) => {
      const error = zipErrorOf(() => readZip(archive));
      assert.ok(error.code === 'zip_ratio' || error.code === 'zip_too_large', error.code);
      assert.equal(calls.length, 0, 'nothing may be inflated before the ratio check');
    });
  });

  it('refuses a bomb spread over entries by the total size before inflating any', () => {
    const entries = [1, 2, 3].map((i) => rawEntry(`part${i}.bin`, Buffer.alloc(0), { body: bomb(), method: 8, compressedSize: bomb().length, size: 50 * MiB }));
    withInflateSpy((calls) => {
      assertRefused(buildRawZip(entries), 'zip_too_large', limits({ maxCompressionRatio: Number.POSITIVE_INFINITY }));
      assert.equal(calls.length, 0);
    });
  });

  it('lets highly compressible entries up to ratioFloorBytes through, and refuses one byte more', () => {
    const atFloor = createZip([{ name: 'zeros', data: Buffer.alloc(DEFAULT_ZIP_LIMITS.ratioFloorBytes) }]);
    assert.equal(readZip(atFloor).get('zeros')?.length, DEFAULT_ZIP_LIMITS.ratioFloorBytes);
    assertRefused(createZip([{ name: 'zeros', data: Buffer.alloc(DEFAULT_ZIP_LIMITS.ratioFloorBytes + 1) }]), 'zip_ratio');
  });

  it('refuses a deflated entry that inflates past its declared size, bounding the inflation', () => {
    const archive = buildRawZip([rawEntry('data.json', Buffer.alloc(0), { body: bomb(), method: 8, compressedSize: bomb().length, size: 1000 })]);
    withInflateSpy((calls) => {
      assertRefused(archive, 'zip_too_large');
      assert.equal(calls.length, 1);
      const bound = calls[0]?.maxOutputLength;
      assert.ok(bound !== undefined && bound <= 1001, `inflation bound ${String(bound)}`);
    });
  });

  it('refuses a deflated entry that inflates to less than its declared size', () => {
    const error = zipErrorOf(() => readZip(buildRawZip([rawEntry('a.txt', 'hello world', { deflate: true, size: 20 })])));
    assert.ok(error.code === 'zip_too_large' || error.code === 'zip_malformed', error.code);
  });

  it('refuses deflate data that does not inflate', () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assertRefused(buildRawZip([rawEntry('a.txt', 'x', { body: garbage, method: 8, compressedSize: garbage.length, size: 1 })]), 'zip_malformed');
  });
});

describe('integrity', () => {
  it('refuses a stored entry whose CRC does not match', () => {
    const entry = rawEntry('a.txt', 'hello');
    assertRefused(buildRawZip([{ ...entry, crc: (entry.crc ^ 1) >>> 0 }]), 'zip_crc');
  });

  it('refuses a deflated entry whose CRC does not match', () => {
    const entry = rawEntry('a.txt', 'hello hello hello', { deflate: true });
    assertRefused(buildRawZip([{ ...entry, crc: (entry.crc + 1) >>> 0 }]), 'zip_crc');
  });

  it('refuses a stored entry whose bytes were changed after writing', () => {
    const archive = createZip([{ name: 'a.txt', data: Buffer.from('hello'), compress: false }]);
    const offset = 30 + 'a.txt'.length;
    archive[offset] = 'j'.charCodeAt(0);
    assertRefused(archive, 'zip_crc');
  });
});

describe('truncated and garbage input', () => {
  const archive = createZip([
    { name: 'data.json', data: Buffer.from('{"records":[]}') },
    { name: 'data.pdf', data: seededBytes(3, 200), compress: false },
  ]);

  it('refuses every truncation of a valid archive', () => {
    for (let length = 0; length < archive.length; length++) {
      assertRefused(archive.subarray(0, length), 'zip_malformed');
    }
  });

  it('refuses a valid archive with bytes cut from the front', () => {
    for (const cut of [1, 10, 30, 100]) assertRefused(archive.subarray(cut), 'zip_malformed');
  });

  it('refuses random bytes', () => {
    for (let seed = 1; seed <= 50; seed++) assertRefused(seededBytes(seed, seed * 37), 'zip_malformed');
  });

  it('refuses random bytes carrying a plausible end record', () => {
    const eocd = buildRawZip([]);
    for (let seed = 1; seed <= 20; seed++) {
      const fake = Buffer.concat([seededBytes(seed, 200), eocd]);
      fake.writeUInt16LE(1, fake.length - 22 + 8);
      fake.writeUInt16LE(1, fake.length - 22 + 10);
      fake.writeUInt32LE(46, fake.length - 22 + 12);
      fake.writeUInt32LE(seed, fake.length - 22 + 16);
      assertRefused(fake, 'zip_malformed');
    }
  });

  it('throws only ZipError, whatever single byte is corrupted', () => {
    for (let i = 0; i < archive.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const corrupt = Buffer.from(archive);
        corrupt[i] = (corrupt[i] as number) ^ mask;
        try {
          readZip(corrupt);
        } catch (error) {
          assert.ok(error instanceof ZipError, `byte ${i} ^ ${mask}: ${String(error)}`);
        }
      }
    }
  });
});

describe('bytes outside any entry', () => {
  const good = createZip([
    { name: 'data.json', data: Buffer.from('{"records":[]}') },
    { name: 'data.pdf', data: Buffer.from('%PDF-1.7'), compress: false },
  ]);
  const eocd = good.length - 22;
  const cdOffset = good.readUInt32LE(eocd + 16);

  function shifted(prefix: Buffer): Buffer {
    // Moves every entry and the central directory back by the prefix, keeping offsets right.
    const out = Buffer.concat([prefix, good]);
    const cd = prefix.length + cdOffset;
    for (let p = cd; p < out.length - 22; ) {
      out.writeUInt32LE(out.readUInt32LE(p + 42) + prefix.length, p + 42);
      p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
    }
    out.writeUInt32LE(cd, out.length - 22 + 16);
    return out;
  }

  it('a forged local entry hidden before the first real one is refused', () => {
    const forged = createZip([{ name: 'data.json', data: Buffer.from('{"records":[{"forged":true}]}') }]);
    const hidden = forged.subarray(0, forged.readUInt32LE(forged.length - 22 + 16));
    assert.throws(
      () => readZip(shifted(hidden)),
      (e: unknown) => e instanceof ZipError && e.code === 'zip_malformed',
    );
    assert.equal(readZip(shifted(Buffer.alloc(0))).size, 2, 'the shifting itself keeps a sound archive sound');
  });

  it('a central directory holding more records than its count is refused', () => {
    const lying = Buffer.from(good);
    lying.writeUInt16LE(1, eocd + 8);
    lying.writeUInt16LE(1, eocd + 10);
    assert.throws(
      () => readZip(lying),
      (e: unknown) => e instanceof ZipError && e.code === 'zip_malformed',
    );
  });
});
