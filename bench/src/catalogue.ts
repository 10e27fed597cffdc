// npm run bench -- catalogue: GET /api/v1/datasets of a real hub (its own process, the demo's
// registry of 7 agencies and 15 data sets, default configuration) beside a bare Fastify route
// serving the very same bytes (its own process too), loaded alike with autocannon from this
// process in alternating rounds, so drift in the machine's load falls on both. Target: the hub
// serves at least 0.8x the bare route's requests per second (issue 12).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { registryFor } from '../../demo/src/catalogue.ts';
import { freshPostgres } from './fresh-postgres.ts';

const TARGET = 0.8;
const ROUNDS = 3;
const SECONDS = 8;
const WARMUP_SECONDS = 3;
const CONNECTIONS = 10;
const PATH = '/api/v1/datasets';
const root = join(import.meta.dirname, '../..');

interface Server {
  url: string;
  child: ChildProcess;
}

/** Starts a process and waits for the line on its stdout that names its URL. */
async function startProcess(args: string[], env: NodeJS.ProcessEnv, urlOf: (line: string) => string | undefined): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const url = urlOf(line);
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before listening`)));
  });
  return { url, child };
}

/** The hub with its log in a file of its own (as the demo keeps it), ready once /readyz answers 200. */
async function startHub(env: NodeJS.ProcessEnv, logFile: string): Promise<Server> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const fd = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/hub/src/main.ts'], {
    cwd: root,
    env: { ...env, HUB_PORT: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGTERM');
  throw new Error(`the hub did not become ready; see ${logFile}`);
}

async function load(url: string, seconds: number): Promise<{ perSecond: number; p99Ms: number; bad: number }> {
  const result = await autocannon({ url: `${url}${PATH}`, connections: CONNECTIONS, duration: seconds });
  return { perSecond: result.requests.total / result.duration, p99Ms: result.latency.p99, bad: result.non2xx + result.errors + result.timeouts };
}

const stop = async (server: Server | undefined) => {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
};

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omd-bench-catalogue-'));
  const database = process.env.DATABASE_URL ? await freshPostgres(process.env.DATABASE_URL) : undefined;
  let hub: Server | undefined;
  let bare: Server | undefined;
  try {
    const registryFile = join(dir, 'registry.json');
    writeFileSync(registryFile, JSON.stringify(registryFor(3000, '127.0.0.1')));
    const env: NodeJS.ProcessEnv = { ...process.env, HUB_HOST: '127.0.0.1', DATA_DIR: dir, REGISTRY_FILE: registryFile };
    delete env.DATABASE_URL;
    if (database) env.DATABASE_URL = database.url;
    hub = await startHub(env, join(dir, 'hub.log'));
    const first = await fetch(`${hub.url}${PATH}`);
    if (first.status !== 200) throw new Error(`the hub answered ${first.status} for ${PATH}`);
    const body = Buffer.from(await first.arrayBuffer());
    const bodyFile = join(dir, 'datasets.json');
    writeFileSync(bodyFile, body);
    bare = await startProcess(
      ['--import', 'tsx', 'bench/src/bare-fastify.ts'],
      { ...process.env, BODY_FILE: bodyFile, CONTENT_TYPE: first.headers.get('content-type') ?? 'application/json' },
      (line) => (line.startsWith('{"url"') ? (JSON.parse(line) as { url: string }).url : undefined),
    );
    const again = Buffer.from(await (await fetch(`${bare.url}${PATH}`)).arrayBuffer());
    if (!again.equals(body)) throw new Error('the bare route does not serve the same bytes');

    process.stderr.write(
      `catalogue bench: ${(body.length / 1024).toFixed(1)} KiB per answer, ${ROUNDS} rounds of ${SECONDS} s each, ${CONNECTIONS} connections…\n`,
    );
    await load(hub.url, WARMUP_SECONDS);
    await load(bare.url, WARMUP_SECONDS);
    const hubRounds: Array<Awaited<ReturnType<typeof load>>> = [];
    const bareRounds: Array<Awaited<ReturnType<typeof load>>> = [];
    for (let round = 0; round < ROUNDS; round++) {
      hubRounds.push(await load(hub.url, SECONDS));
      bareRounds.push(await load(bare.url, SECONDS));
    }
    const mean = (rounds: Array<{ perSecond: number }>) => rounds.reduce((n, r) => n + r.perSecond, 0) / rounds.length;
    const hubRate = mean(hubRounds);
    const bareRate = mean(bareRounds);
    const ratio = hubRate / bareRate;
    const bad = [...hubRounds, ...bareRounds].reduce((n, r) => n + r.bad, 0);
    const row = (name: string, rounds: Array<{ perSecond: number; p99Ms: number }>) =>
      `  ${name.padEnd(44)} ${`${mean(rounds).toFixed(0)} req/s`.padStart(12)}   p99 ${Math.max(...rounds.map((r) => r.p99Ms)).toFixed(1)} ms   rounds: ${rounds.map((r) => r.perSecond.toFixed(0)).join(', ')}`;
    process.stdout.write(
      `\nGET ${PATH}, ${(body.length / 1024).toFixed(1)} KiB, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s alternating; ${availableParallelism()} cores, Node ${process.version}, ${database ? 'PostgreSQL' : 'SQLite'}\n\n`,
    );
    process.stdout.write(`${row('bare Fastify route, same bytes [baseline]', bareRounds)}\n${row('hub', hubRounds)}\n`);
    process.stdout.write(`\n  ratio hub / bare: ${ratio.toFixed(2)}x   target >= ${TARGET}x   ${ratio >= TARGET ? 'PASS' : 'FAIL'}\n`);
    if (bad > 0) process.stdout.write(`  ${bad} answers were errors or not 2xx: the figures are not to be trusted\n`);
    process.stdout.write('\n');
    process.exitCode = ratio >= TARGET && bad === 0 ? 0 : 1;
  } finally {
    await stop(hub);
    await stop(bare);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
