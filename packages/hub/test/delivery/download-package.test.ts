// The download package in memory, with packages signed by throw-away agency keys: layout,
// encryption of both entries, byte-identical agency packages, the index and README, the errors,
// and how long 15 packages of about 100 KB take.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { PACKAGE_PATHS, sha256Hex, verifyPackage } from '@openmydata/protocol';
import { Uint8ArrayReader, ZipReader } from '@zip.js/zip.js';
import type { DatasetOutcome } from '../../src/broker/outcome.ts';
import { buildDownloadPackage, DownloadError, type DownloadIndex, openDownload, parseDownloadIndex } from '../../src/delivery/download/index.ts';
import { catalogueFor, type SyntheticAgency, syntheticAgency } from './fixtures/synthetic-outcomes.ts';

const PASSWORD = 'correct horse battery staple 9!';
let household: SyntheticAgency;
let tax: SyntheticAgency;
let outcomes: DatasetOutcome[];

before(async () => {
  household = await syntheticAgency('test-household');
  tax = await syntheticAgency('test-tax');
  outcomes = [
    await tax.sign('income'),
    await household.sign('household-personal'),
    { dataset: 'cadastral', agency: 'test-land', transactionId: 'txn-none', requests: 1, elapsedMs: 3, status: 'no_data' },
    {
      dataset: 'vehicles',
      agency: 'test-mv',
      transactionId: 'txn-f',
      requests: 3,
      elapsedMs: 9,
      status: 'failed',
      reason: 'agency_timeout',
      detail: 'no answer in time',
    },
    await household.sign('household-whole'),
  ];
});

function options(overrides: Partial<Parameters<typeof buildDownloadPackage>[0]> = {}) {
  return {
    outcomes,
    password: PASSWORD,
    ...catalogueFor([household, tax], ['income', 'household-personal', 'household-whole']),
    createdAt: new Date('2025-03-04T05:06:07.000Z'),
    transactionLabel: 'DL-7Q4K',
    ...overrides,
  };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof DownloadError && error.code === code);
}

test('one folder per verified data set, with the agency package byte for byte, its PDF and JSON', async () => {
  const zip = await buildDownloadPackage(options());
  const { files, index } = await openDownload(zip, PASSWORD);
  assert.deepEqual(
    [...files.keys()],
    [
      'README.txt',
      'index.json',
      'test-household/household-personal/package.zip',
      'test-household/household-personal/data.pdf',
      'test-household/household-personal/data.json',
      'test-household/household-whole/package.zip',
      'test-household/household-whole/data.pdf',
      'test-household/household-whole/data.json',
      'test-tax/income/package.zip',
      'test-tax/income/data.pdf',
      'test-tax/income/data.json',
    ],
  );
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    const folder = `${outcome.agency}/${outcome.dataset}/`;
    const packaged = files.get(`${folder}package.zip`);
    assert.ok(packaged);
    assert.ok(Buffer.from(packaged).equals(outcome.archive), 'package.zip is the agency’s archive, unaltered');
    const agency = outcome.agency === household.id ? household : tax;
    await verifyPackage(packaged, { keys: agency.keys, expect: { agency: agency.id, dataset: outcome.dataset } });
    assert.deepEqual(Buffer.from(files.get(`${folder}data.pdf`) ?? []), outcome.package.files.get(PACKAGE_PATHS.pdf));
    assert.deepEqual(Buffer.from(files.get(`${folder}data.json`) ?? []), outcome.package.files.get(PACKAGE_PATHS.data));
  }
  assert.ok(index);
});

test('the download is README.txt and contents.zip, both AES-256 encrypted (WinZip AE-2), and the password appears nowhere', async () => {
  const zip = await buildDownloadPackage(options());
  const reader = new ZipReader(new Uint8ArrayReader(zip));
  const entries = await reader.getEntries();
  await reader.close();
  assert.deepEqual(
    entries.map((e) => e.filename),
    ['README.txt', 'contents.zip'],
  );
  for (const entry of entries) {
    assert.equal(entry.encrypted, true, `${entry.filename} is encrypted`);
    assert.equal(entry.zipCrypto, false, `${entry.filename} is not ZipCrypto`);
  }
  // The AES extra field (0x9901): vendor version 2 (AE-2) and strength 3 (256-bit key).
  const bytes = Buffer.from(zip);
  let found = 0;
  for (let i = bytes.indexOf(Buffer.from([0x01, 0x99, 0x07, 0x00])); i >= 0; i = bytes.indexOf(Buffer.from([0x01, 0x99, 0x07, 0x00]), i + 1)) {
    assert.equal(bytes.readUInt16LE(i + 4), 2, 'AE-2');
    assert.equal(bytes.toString('latin1', i + 6, i + 8), 'AE');
    assert.equal(bytes[i + 8], 3, 'AES-256');
    found++;
  }
  assert.equal(found, 4, 'one AES field per entry in the local headers and the central directory');
  assert.equal(bytes.includes(Buffer.from(PASSWORD)), false);
  // Nothing of the contents in clear: not the records, not an agency's package, not a folder name.
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    assert.equal(bytes.includes(outcome.package.files.get(PACKAGE_PATHS.data)?.subarray(0, 64) ?? Buffer.alloc(1)), false);
    assert.equal(bytes.includes(outcome.archive.subarray(0, 64)), false);
    assert.equal(bytes.includes(Buffer.from(`${outcome.agency}/${outcome.dataset}/`)), false);
  }
});

test('index.json lists data sets, agencies, JWKS URLs and package digests, and nothing personal', async () => {
  const { files } = await openDownload(await buildDownloadPackage(options()), PASSWORD);
  const json = JSON.parse(new TextDecoder().decode(files.get('index.json')));
  const { index } = parseDownloadIndex(json);
  assert.ok(index, 'index.json matches its schema');
  const typed: DownloadIndex = index;
  assert.equal(typed.created_at, '2025-03-04T05:06:07.000Z');
  assert.equal(typed.label, 'DL-7Q4K');
  assert.deepEqual(
    typed.agencies.map((a) => [a.id, a.jwks_url]),
    [
      ['test-household', 'https://test-household.example.test/.well-known/jwks.json'],
      ['test-tax', 'https://test-tax.example.test/.well-known/jwks.json'],
    ],
  );
  assert.deepEqual(
    typed.datasets.map((d) => d.id),
    ['household-personal', 'household-whole', 'income'],
  );
  for (const entry of typed.datasets) {
    const packaged = files.get(entry.package.path);
    assert.ok(packaged);
    assert.equal(entry.package.sha256, sha256Hex(packaged));
    assert.equal(entry.package.size, packaged.byteLength);
    assert.equal(entry.signature.kid, entry.agency === household.id ? household.kid : tax.kid);
    assert.deepEqual(entry.files.map((f) => f.path).sort(), ['data.json', 'data.pdf']);
  }
  assert.equal(JSON.stringify(json).includes('synthetic row'), false, 'no record content in the index');
});

test('README.txt explains the contents and the signature check, in Traditional Chinese and English', async () => {
  const { files } = await openDownload(await buildDownloadPackage(options()), PASSWORD);
  const readme = new TextDecoder().decode(files.get('README.txt'));
  for (const needle of [
    '個人資料下載包',
    'personal data download',
    '如何確認資料確實來自機關',
    'How to check',
    'npm run verify-package',
    'META-INF/manifest.json',
    'META-INF/manifest.jws',
    'sha256sum',
    'certutil -hashfile',
    'RFC 7515',
    'https://test-tax.example.test/.well-known/jwks.json',
    'test-household/household-whole/',
    '測試資料集 income',
    'Test data set income',
    'DL-7Q4K',
    '7-Zip',
    '請再解開 contents.zip',
    'extract contents.zip too',
  ]) {
    assert.ok(readme.includes(needle), `README mentions ${needle}`);
  }
  assert.equal(readme.includes('synthetic row'), false);
});

test('the password must have at least 10 characters, and no control characters', async () => {
  await rejects(buildDownloadPackage(options({ password: 'short pw' })), 'password_too_short');
  await rejects(buildDownloadPackage(options({ password: '123456789' })), 'password_too_short');
  // Ten characters as a person counts them, even where UTF-16 needs more units.
  await rejects(buildDownloadPackage(options({ password: '𠮷𠮷𠮷𠮷𠮷' })), 'password_too_short');
  await rejects(buildDownloadPackage(options({ password: 'line\nbreak in it' })), 'password_invalid_characters');
  await rejects(buildDownloadPackage(options({ password: 'x'.repeat(257) })), 'password_too_long');
  const error = await buildDownloadPackage(options({ password: 'short pw' })).catch((e: unknown) => e);
  assert.ok(error instanceof DownloadError);
  assert.equal(error.message.includes('short pw'), false, 'the error does not echo the password');
  const ok = await buildDownloadPackage(options({ password: '我的資料我作主好嗎？' }));
  assert.ok((await openDownload(ok, '我的資料我作主好嗎？')).index);
});

test('nothing to pack, an unknown agency or a repeated data set is refused', async () => {
  await rejects(buildDownloadPackage(options({ outcomes: outcomes.filter((o) => o.status !== 'ok') })), 'no_packages');
  await rejects(buildDownloadPackage(options({ agencies: new Map() })), 'agency_unknown');
  const first = outcomes[0] as DatasetOutcome;
  await rejects(buildDownloadPackage(options({ outcomes: [first, first] })), 'duplicate_dataset');
});

test('opening: a wrong password, or a flipped bit in the ciphertext, is told apart', async () => {
  const zip = await buildDownloadPackage(options());
  await rejects(openDownload(zip, 'not the password at all'), 'wrong_password');
  // Flip one bit in the encrypted data of contents.zip: its authentication code no longer matches.
  const reader = new ZipReader(new Uint8ArrayReader(zip));
  const entry = (await reader.getEntries()).find((e) => e.filename === 'contents.zip');
  await reader.close();
  assert.ok(entry);
  const tampered = Buffer.from(zip);
  const dataStart = entry.offset + 30 + tampered.readUInt16LE(entry.offset + 26) + tampered.readUInt16LE(entry.offset + 28);
  const target = dataStart + 16 + 2 + 5; // past the salt and the password verifier
  tampered[target] = (tampered[target] as number) ^ 0x01;
  await rejects(openDownload(tampered, PASSWORD), 'download_damaged');
});

test('15 packages of about 100 KB are packed quickly', async (t) => {
  const many: DatasetOutcome[] = [];
  const agencies: SyntheticAgency[] = [];
  for (let i = 0; i < 5; i++) agencies.push(await syntheticAgency(`perf-agency-${i}`));
  for (let i = 0; i < 15; i++) many.push(await (agencies[i % 5] as SyntheticAgency).sign(`perf-dataset-${i}`, { pdfBytes: 95_000, records: 250 }));
  const sizes = many.map((o) => (o.status === 'ok' ? o.archive.byteLength : 0));
  const catalogue = catalogueFor(
    agencies,
    many.map((o) => o.dataset),
  );
  const timings: number[] = [];
  let zip: Uint8Array = new Uint8Array();
  for (let run = 0; run < 4; run++) {
    const started = performance.now();
    zip = await buildDownloadPackage({ outcomes: many, password: PASSWORD, ...catalogue, createdAt: new Date() });
    timings.push(performance.now() - started);
  }
  const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  const warm = timings.slice(1).sort((a, b) => a - b)[1] as number;
  t.diagnostic(
    `15 packages, ${Math.round(average / 1024)} KB each on average, download ${Math.round(zip.byteLength / 1024)} KB: ` +
      `first ${timings[0]?.toFixed(0)} ms, warm median ${warm.toFixed(0)} ms`,
  );
  assert.ok(average > 90_000 && average < 120_000, `packages of about 100 KB (${average})`);
  const opened = await openDownload(zip, PASSWORD);
  assert.equal(opened.index?.datasets.length, 15);
});
