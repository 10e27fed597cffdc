// Mode 1's download end to end over real HTTP: the broker fetches from the SDK-built demo agencies,
// the hub packs one encrypted ZIP, 7-Zip opens it, and the verify command checks every agency
// signature (on SQLite, or PostgreSQL with DATABASE_URL). The extracted files hold the synthetic
// citizen's data, so the temporary folder is deleted after the tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { createZip, PACKAGE_PATHS, readZip } from '@openmydata/protocol';
import { startDemoAgencies } from '../../../../demo/src/agencies.ts';
import { registryWith } from '../../../../demo/src/catalogue.ts';
import { findCitizen, formatAddress } from '../../../../demo/src/population/citizens.ts';
import type { DatasetOutcome } from '../../src/broker/outcome.ts';
import { parseRegistry } from '../../src/catalog/registry.ts';
import { type Agency, listAgencies, listDatasets, seedRegistry } from '../../src/catalog/repository.ts';
import { buildDownloadPackage, DownloadError } from '../../src/delivery/download/index.ts';
import { consumedConsent } from '../helpers/consent.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { type CliResult, runScript } from '../helpers/run-script.ts';
import { sevenZip } from '../helpers/system-tools.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const CLI = join(ROOT, 'packages/hub/src/cli/verify-package.ts');
const SUBJECT = 'A123456789';
const DATASETS = ['household-personal', 'household-whole', 'labour-insurance', 'nhi-premiums', 'income', 'driver-licence'];
const PASSWORD = 'Tamsui river at dusk, 2025!';

let t: TestHub;
let demo: Awaited<ReturnType<typeof startDemoAgencies>>;
let outcomes: Array<Extract<DatasetOutcome, { status: 'ok' }>>;
let agencies: Map<string, Agency>;
let zip: Uint8Array;
let buildMs: number;
let work: string;
let zipPath: string;
let extracted: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'omd-download-'));
  t = await startTestHub({ env: { BROKER_TIMEOUT_SECONDS: '10' } });
  demo = await startDemoAgencies({
    hub: { issuer: t.hub.config.publicUrl, jwksUrl: `${t.url}/.well-known/jwks.json` },
    portOf: () => 0,
    maintenance: () => [],
  });
  const urls = new Map(demo.agencies.map((a) => [a.id, a.url]));
  await seedRegistry(
    t.hub.db,
    parseRegistry(
      registryWith(
        (a) => urls.get(a.id) as string,
        () => [],
      ),
    ),
  );
  t.hub.catalogue.invalidate();

  const fetched = await t.hub.broker.fetchAll({ consent: await consumedConsent(t.hub, SUBJECT, DATASETS, 'download test'), nationalId: SUBJECT });
  outcomes = fetched.flatMap((o) => (o.status === 'ok' ? [o] : []));
  assert.equal(outcomes.length, DATASETS.length, `all verified: ${fetched.map((o) => `${o.dataset}:${o.status}`).join(', ')}`);
  agencies = new Map((await listAgencies(t.hub.db)).map((a) => [a.id, a]));
  const datasets = new Map((await listDatasets(t.hub.db)).map((d) => [d.id, d]));

  const started = performance.now();
  zip = await buildDownloadPackage({ outcomes: fetched, password: PASSWORD, agencies, datasets, createdAt: new Date(), transactionLabel: 'DL-TEST' });
  buildMs = performance.now() - started;
  zipPath = join(work, 'openmydata-download.zip');
  writeFileSync(zipPath, zip);
  extracted = join(work, 'extracted');
});

after(async () => {
  await demo?.close();
  await t?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function folderOf(outcome: DatasetOutcome): string {
  return join(extracted, outcome.agency as string, outcome.dataset);
}

function jwksUrlOf(outcome: DatasetOutcome): string {
  return (agencies.get(outcome.agency as string) as Agency).jwksUrl;
}

function verifyCli(...args: string[]): Promise<CliResult> {
  return runScript(CLI, args, { cwd: ROOT });
}

test('the download is built from the verified packages', async (tc) => {
  const sizes = outcomes.map((o) => o.archive.byteLength);
  const pdfRatio = outcomes.map((o) => {
    const pdf = o.package.files.get(PACKAGE_PATHS.pdf) as Buffer;
    return deflateRawSync(pdf).byteLength / pdf.byteLength;
  });
  tc.diagnostic(
    `${outcomes.length} demo packages of ${Math.min(...sizes)}-${Math.max(...sizes)} bytes -> ${zip.byteLength} byte download in ${buildMs.toFixed(0)} ms ` +
      `(PDFs deflate to ${Math.round(Math.min(...pdfRatio) * 100)}-${Math.round(Math.max(...pdfRatio) * 100)}%)`,
  );
  assert.ok(zip.byteLength > sizes.reduce((a, b) => a + b, 0));
});

test('7z x with the password extracts README.txt and contents.zip; 7z x contents.zip gives the index and, per data set, package.zip, data.pdf and data.json', () => {
  const result = spawnSync(sevenZip(), ['x', `-p${PASSWORD}`, `-o${extracted}`, '-y', zipPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.ok(existsSync(join(extracted, 'README.txt')));
  const inner = spawnSync(sevenZip(), ['x', `-o${extracted}`, '-y', join(extracted, 'contents.zip')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(inner.status, 0, inner.stdout + inner.stderr);
  assert.ok(existsSync(join(extracted, 'index.json')));
  for (const outcome of outcomes) {
    const folder = folderOf(outcome);
    for (const name of ['package.zip', 'data.pdf', 'data.json']) assert.ok(existsSync(join(folder, name)), `${folder}/${name}`);
    assert.ok(readFileSync(join(folder, 'package.zip')).equals(outcome.archive), 'package.zip is the agency’s archive byte for byte');
    assert.ok(readFileSync(join(folder, 'data.pdf')).equals(outcome.package.files.get(PACKAGE_PATHS.pdf) as Buffer));
    assert.ok(readFileSync(join(folder, 'data.pdf')).subarray(0, 5).toString() === '%PDF-');
  }
  // 7-Zip's own listing: both entries AES-256.
  const listing = spawnSync(sevenZip(), ['l', '-slt', `-p${PASSWORD}`, zipPath], { encoding: 'utf8' });
  assert.equal(listing.status, 0);
  const methods = listing.stdout.split('\n').filter((l) => l.startsWith('Method = '));
  assert.equal(methods.length, 2);
  for (const method of methods) assert.match(method, /^Method = AES-256 (Deflate|Store)$/);
});

test('7z with a wrong password fails', () => {
  const result = spawnSync(sevenZip(), ['x', '-pnot-the-password', `-o${join(work, 'wrong')}`, '-y', zipPath], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.notEqual(result.status, 0);
  assert.match(result.stdout + result.stderr, /Wrong password/i);
});

test('README and index.json hold nothing personal', () => {
  const citizen = findCitizen(SUBJECT);
  assert.ok(citizen);
  for (const name of ['README.txt', 'index.json']) {
    const text = readFileSync(join(extracted, name), 'utf8');
    for (const needle of [SUBJECT, citizen.name, formatAddress(citizen.address)]) assert.equal(text.includes(needle), false, `${name} holds ${needle}`);
  }
});

test('each extracted package.zip verifies with the verify command and its agency’s JWKS URL', async () => {
  const results = await Promise.all(outcomes.map((o) => verifyCli(join(folderOf(o), 'package.zip'), '--jwks', jwksUrlOf(o))));
  results.forEach((result, i) => {
    const outcome = outcomes[i] as (typeof outcomes)[number];
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /result\s+VERIFIED/);
    assert.match(result.stdout, new RegExp(`signed by kid ${outcome.package.kid}`));
    assert.match(result.stdout, /data\.json\s+OK {2}sha256 [0-9a-f]{64}/);
    assert.match(result.stdout, /data\.pdf\s+OK {2}sha256 [0-9a-f]{64}/);
    assert.match(result.stdout, /data\.pdf beside package\.zip is identical to the signed one/);
  });
});

test('an extracted package.zip verifies without --jwks: the key URL comes from index.json', async () => {
  const outcome = outcomes[0] as (typeof outcomes)[number];
  const result = await verifyCli(join(folderOf(outcome), 'package.zip'));
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.ok(result.stdout.includes(`${jwksUrlOf(outcome)} (from index.json)`));
});

test('a local JWKS file works offline; another agency’s keys do not verify', async () => {
  const [first, other] = [outcomes[0], outcomes.find((o) => o.agency !== outcomes[0]?.agency)];
  assert.ok(first && other);
  const jwksFile = join(work, 'agency.jwks.json');
  writeFileSync(jwksFile, await (await fetch(jwksUrlOf(first))).text());
  const [good, wrong] = await Promise.all([
    verifyCli(join(folderOf(first), 'package.zip'), '--jwks', jwksFile),
    verifyCli(join(folderOf(other), 'package.zip'), '--jwks', jwksFile),
  ]);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
  assert.match(wrong.stdout, /FAILED {2}package_unknown_key: no published key has kid/);
});

test('a tampered package fails with exit 1 and names the failure', async () => {
  const outcome = outcomes[0] as (typeof outcomes)[number];
  const entries = readZip(readFileSync(join(folderOf(outcome), 'package.zip')));
  const tamper = (path: string) => {
    const copy = new Map([...entries].map(([name, data]) => [name, Buffer.from(data)]));
    const data = copy.get(path) as Buffer;
    const at = data.indexOf('"records"') + 12;
    data[at] = (data[at] as number) ^ 0x20; // flips the case of a letter, or a digit into another character
    return createZip([...copy].map(([name, bytes]) => ({ name, data: bytes })));
  };
  const dataDir = join(work, 'tampered-data');
  const manifestDir = join(work, 'tampered-manifest');
  mkdirSync(dataDir);
  mkdirSync(manifestDir);
  writeFileSync(join(dataDir, 'package.zip'), tamper(PACKAGE_PATHS.data));
  writeFileSync(join(manifestDir, 'package.zip'), tamper(PACKAGE_PATHS.manifest));
  const [data, manifest] = await Promise.all([
    verifyCli(join(dataDir, 'package.zip'), '--jwks', jwksUrlOf(outcome)),
    verifyCli(join(manifestDir, 'package.zip'), '--jwks', jwksUrlOf(outcome)),
  ]);
  assert.equal(data.code, 1, data.stdout + data.stderr);
  assert.match(data.stdout, /FAILED {2}package_digest_mismatch: data\.json does not match its digest/);
  assert.equal(manifest.code, 1, manifest.stdout + manifest.stderr);
  assert.match(manifest.stdout, /FAILED {2}package_(signature_invalid|manifest_invalid): /);
  assert.match(data.stdout, /FAILED verification/);
});

test('the verify command checks the whole download with --password', async () => {
  const result = await verifyCli(zipPath, '--password', PASSWORD);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(result.stdout.match(/result\s+VERIFIED/g)?.length, outcomes.length);
  assert.ok(result.stdout.includes(`All ${outcomes.length} package(s) verified.`));
  for (const outcome of outcomes) assert.ok(result.stdout.includes(`${outcome.agency}/${outcome.dataset}`));
  assert.match(result.stdout, /package\.zip matches its SHA-256 in index\.json/);
});

test('the verify command on the download: wrong or missing password, missing file -> exit 2, no stack trace', async () => {
  const [wrong, missing, nofile] = await Promise.all([
    verifyCli(zipPath, '--password', 'not the password'),
    verifyCli(zipPath),
    verifyCli(join(work, 'no-such-download.zip'), '--password', PASSWORD),
  ]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /wrong password/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /give its password with --password/);
  assert.equal(nofile.code, 2);
  assert.match(nofile.stderr, /No such file/);
  for (const r of [wrong, missing, nofile]) assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('a short password is refused before anything is built', async () => {
  await assert.rejects(
    buildDownloadPackage({ outcomes, password: 'too short', agencies, datasets: new Map(), createdAt: new Date() }),
    (error: unknown) => error instanceof DownloadError && error.code === 'password_too_short',
  );
});
