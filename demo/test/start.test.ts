// The README's start command as a new user runs it on a machine with Node alone (the system's
// fonts and tools hidden, OMD_IGNORE_SYSTEM_TOOLS=1): `npm start` brings up the hub and the demo
// agencies and prints their URLs; `npm run fetch` works against it; Ctrl-C stops everything.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findCitizen, formatAddress } from '../src/population/citizens.ts';
import { freePorts, PORT_BANDS } from './ports.ts';
import { filesUnder, findPersonalData } from './privacy-scan.ts';

const root = join(import.meta.dirname, '../..');
// The demo takes HUB_PORT and the 20 ports after it.
const port = await freePorts(PORT_BANDS.start, 21);
const dataDir = mkdtempSync(join(tmpdir(), 'omd-start-'));
const env: NodeJS.ProcessEnv = { ...process.env, HUB_PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', OMD_IGNORE_SYSTEM_TOOLS: '1' };
delete env.DATABASE_URL; // the start command is the SQLite demo
delete env.OMD_CJK_FONT; // the PDF font comes from npm
let demo: ChildProcess;
let output = '';

before(async () => {
  demo = spawn(process.execPath, ['--import', 'tsx', 'demo/src/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  demo.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('demo is running') && Date.now() < deadline && demo.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  assert.match(output, /demo is running/, output);
});

after(async () => {
  if (demo.exitCode === null) {
    demo.kill('SIGINT');
    await new Promise((r) => demo.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function fetchCli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'packages/hub/src/cli/fetch.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

test('npm start prints the hub, the catalogue, every agency and the demo citizens', () => {
  assert.match(output, new RegExp(`http://localhost:${port}/api/v1/datasets`));
  for (const id of ['moi-household', 'bli', 'nhia', 'fia', 'mvdis', 'land', 'sfaa']) assert.match(output, new RegExp(`${id}\\s+http://127\\.0\\.0\\.1:\\d+`));
  assert.match(output, /A123456789/);
});

test('the catalogue lists at least 14 data sets from at least 7 agencies', async () => {
  const body = (await (await fetch(`http://localhost:${port}/api/v1/datasets`)).json()) as { datasets: Array<{ agency: { id: string } }> };
  assert.ok(body.datasets.length >= 14);
  assert.ok(new Set(body.datasets.map((d) => d.agency.id)).size >= 7);
});

test('npm run fetch fetches and verifies for a synthetic citizen', () => {
  // traffic-violations, not a land data set: the land agency's nightly window must not decide this test.
  const run = fetchCli('--subject', 'B287654326', '--datasets', 'household-whole,low-income,traffic-violations,nope');
  assert.equal(run.status, 1, 'one unknown data set makes the run fail');
  assert.match(run.stdout, /✔ household-whole .*verified, signed by key/);
  assert.match(run.stdout, /✔ low-income .*verified/);
  assert.match(run.stdout, /∅ traffic-violations .*no data/);
  assert.match(run.stdout, /✘ nope .*dataset_unknown/);
  assert.match(run.stdout, /2 verified, 1 without data, 1 failed/);
  const ok = fetchCli('--subject', 'A123456789', '--datasets', 'vehicles,driver-licence');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
});

test('npm run fetch explains bad input', () => {
  const badId = fetchCli('--subject', 'A123456780', '--datasets', 'vehicles');
  assert.equal(badId.status, 2);
  assert.match(badId.stderr, /check digit/);
  const noSubject = fetchCli('--datasets', 'vehicles');
  assert.equal(noSubject.status, 2);
  assert.match(noSubject.stderr, /--subject is required/);
  const unknownFlag = fetchCli('--subject', 'A123456789', '--frobnicate');
  assert.equal(unknownFlag.status, 2);
  assert.match(unknownFlag.stderr, /Usage/);
});

test('nothing personal in ./var (database, keys, logs) after the demo served real fetches', () => {
  const citizen = findCitizen('A123456789');
  assert.ok(citizen);
  const found = findPersonalData(filesUnder(dataDir), ['A123456789', 'B287654326', citizen.name, formatAddress(citizen.address)]);
  assert.deepEqual(found, []);
});

test('Ctrl-C stops the hub and the agencies', async () => {
  demo.kill('SIGINT');
  const code = await new Promise((r) => demo.once('exit', r));
  assert.equal(code, 0);
  await assert.rejects(fetch(`http://localhost:${port}/healthz`));
});
