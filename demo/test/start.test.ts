// The README's start command as a new user runs it on a machine with Node alone (the system's
// fonts and tools hidden, OMD_IGNORE_SYSTEM_TOOLS=1): `npm start` brings up the hub and the demo
// agencies and prints their URLs; `npm run fetch` works against it; an agency from outside joins
// through OMD_EXTRA_REGISTRY_DIR; a killed agency process comes back; Ctrl-C stops everything.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createProvider, type ListeningProvider } from '@openmydata/provider-sdk';
import { runScript } from '../../packages/hub/test/helpers/run-script.ts';
import { DEMO_AGENCIES } from '../src/catalogue.ts';
import { findCitizen, formatAddress } from '../src/population/citizens.ts';
import { freePorts, PORT_BANDS } from './ports.ts';
import { filesUnder, findPersonalData } from './privacy-scan.ts';

const root = join(import.meta.dirname, '../..');
// The demo takes HUB_PORT and the 20 ports after it.
const port = await freePorts(PORT_BANDS.start, 21);
const dataDir = mkdtempSync(join(tmpdir(), 'omd-start-'));
const extraDir = join(dataDir, 'outside-registry');
// The first restart waits this long, so the test can see the hub report the agency while it is down.
const RESTART_DELAY_SECONDS = 30;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  HUB_PORT: String(port),
  DATA_DIR: dataDir,
  LOG_LEVEL: 'info',
  OMD_EXTRA_REGISTRY_DIR: extraDir,
  DEMO_RESTART_DELAY_SECONDS: String(RESTART_DELAY_SECONDS),
  OMD_IGNORE_SYSTEM_TOOLS: '1',
};
delete env.DATABASE_URL; // the start command is the SQLite demo
delete env.OMD_CJK_FONT; // the PDF font comes from npm
let demo: ChildProcess;
let output = '';
let outside: ListeningProvider;

/** An agency that is no part of the demo, built with the SDK as an outsider would, registered by a file. */
async function startOutsideAgency(): Promise<void> {
  const hubUrl = `http://localhost:${port}`;
  const provider = createProvider({
    agency: { id: 'outside-agency', name: { 'zh-TW': '外部測試機關', en: 'Outside test agency' } },
    hub: { issuer: hubUrl, jwksUrl: `${hubUrl}/.well-known/jwks.json` },
    datasets: [
      {
        id: 'outside-records',
        name: { 'zh-TW': '外部紀錄', en: 'Outside records' },
        fields: [{ id: 'note', name: { 'zh-TW': '備註', en: 'Note' }, type: 'string' }],
        fetch: () => ({ records: [{ note: 'synthetic' }] }),
      },
    ],
  });
  outside = await provider.listen(0, '127.0.0.1');
  mkdirSync(extraDir);
  const registry = {
    agencies: [
      {
        id: 'outside-agency',
        name: { 'zh-TW': '外部測試機關', en: 'Outside test agency' },
        base_url: outside.url,
        datasets: [
          {
            id: 'outside-records',
            name: { 'zh-TW': '外部紀錄', en: 'Outside records' },
            description: { 'zh-TW': '測試用。', en: 'For tests.' },
            category: 'welfare',
            fields: [{ id: 'note', name: { 'zh-TW': '備註', en: 'Note' }, type: 'string' }],
            formats: ['json', 'pdf'],
            min_assurance_level: 3,
            typical_preparation_seconds: 0,
          },
        ],
      },
    ],
  };
  writeFileSync(join(extraDir, 'outside-agency.json'), JSON.stringify(registry, null, 2));
}

/** Polls until check is true or the deadline passes (not a sleep: it returns as soon as it is true). */
async function until(check: () => boolean | Promise<boolean>, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what} within ${seconds} s\n${output}`);
}

before(async () => {
  await startOutsideAgency();
  demo = spawn(process.execPath, ['--import', 'tsx', 'demo/src/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  demo.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  // The whole demo (hub, agencies, IdP, signer, mail, two services and their registration) on a
  // busy two-core machine can take longer than a minute.
  const deadline = Date.now() + 150_000;
  while (!output.includes('demo is running') && Date.now() < deadline && demo.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  assert.match(output, /demo is running/, output);
});

after(async () => {
  if (demo.exitCode === null) {
    demo.kill('SIGINT');
    await new Promise((r) => demo.once('exit', r));
  }
  await outside.close();
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

test('npm start runs and registers the demo services, and says how to try them', async () => {
  assert.match(output, new RegExp(`信用貸款線上預審\\s+http://127\\.0\\.0\\.1:${port + 1}/`));
  assert.match(output, new RegExp(`清寒學生獎學金申請\\s+http://127\\.0\\.0\\.1:${port + 2}/`));
  assert.match(output, /Try one: open its page, choose 使用 OpenMyData 提供我的資料/);
  const body = (await (await fetch(`http://localhost:${port}/api/v1/services`)).json()) as { services: Array<{ id: string; start_url: string }> };
  assert.deepEqual(body.services.map((s) => [s.id, s.start_url]).sort(), [
    ['loan-prescreen', `http://127.0.0.1:${port + 1}/`],
    ['scholarship-application', `http://127.0.0.1:${port + 2}/`],
  ]);
  const start = await fetch(`http://127.0.0.1:${port + 1}/start`, { redirect: 'manual' });
  assert.equal(start.status, 303, 'the bank pushes its authorization request to the hub');
  assert.match(start.headers.get('location') ?? '', new RegExp(`^http://localhost:${port}/oauth/authorize\\?`));
});

test('the catalogue lists at least 14 data sets from at least 7 agencies', async () => {
  const body = (await (await fetch(`http://localhost:${port}/api/v1/datasets`)).json()) as { datasets: Array<{ agency: { id: string } }> };
  assert.ok(body.datasets.length >= 14);
  assert.ok(new Set(body.datasets.map((d) => d.agency.id)).size >= 7);
});

const OPERATOR = ['--operator', 'ops.test', '--reason', 'demo start test'];

test('npm run fetch fetches and verifies for a synthetic citizen, as a named operator', () => {
  // traffic-violations, not a land data set: the land agency's nightly window must not decide this test.
  const run = fetchCli(...OPERATOR, '--subject', 'B287654326', '--datasets', 'household-whole,low-income,traffic-violations');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /as ops\.test \(recorded in the person's history\)/);
  assert.match(run.stdout, /✔ household-whole .*verified, signed by key/);
  assert.match(run.stdout, /✔ low-income .*verified/);
  assert.match(run.stdout, /∅ traffic-violations .*no data/);
  assert.match(run.stdout, /2 verified, 1 without data, 0 failed/);
});

test('an agency from outside joins through OMD_EXTRA_REGISTRY_DIR: listed, fetched and verified, and it passes agency check', async () => {
  assert.match(output, /Outside agencies \(from .*outside-registry; not started here\):\n\s+outside-agency\s+http:\/\/127\.0\.0\.1:\d+/);
  const agencies = (await (await fetch(`http://localhost:${port}/api/v1/agencies`)).json()) as { agencies: Array<{ id: string }> };
  assert.ok(agencies.agencies.some((a) => a.id === 'outside-agency'));
  // Asynchronously: the outside agency answers from this process.
  const run = await runScript('packages/hub/src/cli/fetch.ts', [...OPERATOR, '--subject', 'A123456789', '--datasets', 'outside-records'], { cwd: root, env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /✔ outside-records .*verified, signed by key/);
  const check = await runScript('packages/hub/src/cli/operator.ts', ['agency', 'check', 'outside-agency'], { cwd: root, env });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /OK: outside-agency answers, publishes its keys and serves the Provider API/);
});

test('kill -9 of the agencies process: the hub stays up and reports them unavailable, the launcher starts them again', async () => {
  const pids = () => (JSON.parse(readFileSync(join(dataDir, 'demo-pids.json'), 'utf8')) as { children: Record<string, number> }).children;
  const before = pids();
  const household = DEMO_AGENCIES.find((a) => a.id === 'moi-household');
  assert.ok(household && before.agencies && before.hub);
  const health = `http://127.0.0.1:${port + household.portOffset}/healthz`;
  const answers = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true;

  process.kill(before.agencies, 'SIGKILL');
  await until(
    () => output.includes(`agencies stopped unexpectedly (SIGKILL); restarting it in ${RESTART_DELAY_SECONDS} s`),
    10,
    'the launcher saw the agencies stop',
  );
  assert.equal(await answers(health), false);
  const meanwhile = await runScript('packages/hub/src/cli/fetch.ts', [...OPERATOR, '--subject', 'A123456789', '--datasets', 'household-personal'], {
    cwd: root,
    env,
  });
  assert.equal(output.includes('agencies restarted'), false, 'still inside the back-off when the fetch ran');
  assert.equal(meanwhile.code, 1, meanwhile.stdout + meanwhile.stderr);
  assert.match(meanwhile.stdout, /✘ household-personal .*agency_unavailable/);
  assert.equal(await answers(`http://localhost:${port}/healthz`), true, 'the hub stays up');

  await until(() => answers(health), RESTART_DELAY_SECONDS + 60, 'the agencies answer again');
  const after = pids();
  assert.notEqual(after.agencies, before.agencies);
  assert.equal(after.hub, before.hub, 'the hub was not restarted');
  assert.match(output, /agencies restarted \(pid \d+\)/);
  const launcherLog = readFileSync(join(dataDir, 'log', 'launcher.log'), 'utf8');
  assert.match(launcherLog, /agencies stopped unexpectedly \(SIGKILL\)/);
  assert.match(launcherLog, /agencies restarted/);
  const again = fetchCli(...OPERATOR, '--subject', 'A123456789', '--datasets', 'household-personal');
  assert.equal(again.status, 0, again.stdout + again.stderr);
});

test('npm run fetch refuses without an operator and a reason, and explains bad input', () => {
  for (const args of [
    ['--subject', 'A123456789', '--datasets', 'vehicles'],
    ['--operator', 'ops.test', '--subject', 'A123456789', '--datasets', 'vehicles'],
  ]) {
    const refused = fetchCli(...args);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /needs --operator \(who\) and --reason \(why\)/);
  }
  const unknown = fetchCli(...OPERATOR, '--subject', 'A123456789', '--datasets', 'vehicles,nope');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown data set\(s\): nope/);
  const badId = fetchCli(...OPERATOR, '--subject', 'A123456780', '--datasets', 'vehicles');
  assert.equal(badId.status, 2);
  assert.match(badId.stderr, /check digit/);
  const noSubject = fetchCli(...OPERATOR, '--datasets', 'vehicles');
  assert.equal(noSubject.status, 2);
  assert.match(noSubject.stderr, /--subject is required/);
  const unknownFlag = fetchCli(...OPERATOR, '--subject', 'A123456789', '--frobnicate');
  assert.equal(unknownFlag.status, 2);
  assert.match(unknownFlag.stderr, /Usage/);
});

test('npm start prints the counter console and a demo clerk whose login works; the counters list has 13 or more services', async () => {
  assert.match(output, new RegExp(`Counter console\\s+http://localhost:${port}/console`));
  const clerk = /Demo clerk:\s+(\S+)\s+password (\S+)\s+TOTP secret ([A-Z2-7]+)/.exec(output);
  assert.ok(clerk, output);
  const [, id, password, secret] = clerk as unknown as [string, string, string, string];
  const totp = await runScript('demo/src/counter-totp.ts', [id], { cwd: root, env });
  assert.equal(totp.code, 0, totp.stderr);
  const code = /^(\d{6}) {2}/.exec(totp.stdout)?.[1];
  assert.ok(code, totp.stdout);
  const base = `http://localhost:${port}`;
  const form = await fetch(`${base}/console/sign-in`);
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const signIn = await fetch(`${base}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, staff: id, password, totp: code }),
  });
  assert.equal(signIn.status, 303, `${secret}: ${await signIn.text()}`);
  const counters = (await (await fetch(`${base}/api/v1/counters`)).json()) as { offices: Array<{ services: unknown[] }> };
  assert.ok(counters.offices.flatMap((o) => o.services).length >= 13);
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
  assert.equal(existsSync(join(dataDir, 'demo-pids.json')), false, 'no stale process ids are left behind');
});
