// The demo stack the flow benches run against, started by the bench itself as `npm start` starts
// it (demo/src/start.ts): the hub, the seven demo agencies and the mock mobile ID, each its own
// process, listening on 127.0.0.1 only. Differences from the launcher, each for a reason:
// - the citizen-certificate card reader is played by the bench (flows sign with their own
//   citizen's card, as many readers would); so the bench makes the demo CA and writes its trust
//   files (the signer's own code does both) and no signer process runs;
// - a fresh data directory per run (SQLite), or a fresh PostgreSQL database when DATABASE_URL is set;
// - NEW_SESSIONS_PER_ADDRESS is raised: every simulated person comes from 127.0.0.1, which the hub
//   would otherwise treat as one address opening hundreds of sessions (a counter hall's setting);
// - no mail sink of its own: download and online flows give no e-mail address, so no notice is
//   sent; a kind that needs mail (counter confirmation codes) starts a sink and passes SMTP_URL.
// Anything else in the caller's environment (BROKER_*, LOG_LEVEL, ...) reaches the hub as it is.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_AGENCIES, registryFor } from '../../../demo/src/catalogue.ts';
import { createDemoCa, type DemoCa } from '../../../demo/src/ca/index.ts';
import { writeTrustFiles } from '../../../demo/src/signer/trust-files.ts';
import { freshPostgres } from '../fresh-postgres.ts';

const root = join(import.meta.dirname, '../../..');

/** The launcher's port layout: the hub, then the mobile ID (+8), the card signer (+9), the agencies (+11…). */
const IDP_OFFSET = 8;
const SIGNER_OFFSET = 9;
const OFFSETS = [0, IDP_OFFSET, SIGNER_OFFSET, ...DEMO_AGENCIES.map((a) => a.portOffset)];

export interface StackProcess {
  name: 'hub' | 'agencies' | 'idp';
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export interface DemoStack {
  /** The hub's public origin (http://localhost:PORT, as in the demo; the name resolves to 127.0.0.1). */
  hubUrl: string;
  idpUrl: string;
  signerUrl: string;
  /** The demo CA whose cards the flows sign with; the hub trusts it. */
  ca: DemoCa;
  engine: 'sqlite' | 'postgres';
  dataDir: string;
  hub: StackProcess;
  agencies: StackProcess;
  idp: StackProcess;
  /**
   * Runs `npm run operator -- ARGS` against the hub's database (as the demo registers its services
   * and counter staff); answers its output, throws with it when the command fails.
   */
  operator(args: string[]): Promise<string>;
  /** Stops every process (SIGTERM, so CPU profiles are written) and removes what the run made. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** When set, the hub and the agencies run with --cpu-prof and write their profiles under it. */
  profileDir?: string;
  /** Extra environment for the hub, from a flow kind (e.g. an SMTP sink for counter flows). */
  hubEnv?: Record<string, string>;
  log(line: string): void;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A hub port whose whole demo layout is free on 127.0.0.1. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 2000) * 20;
    const free = await Promise.all(OFFSETS.map((offset) => portIsFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('found no free block of ports for the demo stack on 127.0.0.1');
}

async function waitUntilReady(url: string, what: string, process: StackProcess, seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let gone = false;
  process.exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline && !gone) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tail = readFileSync(process.logFile, 'utf8').split('\n').slice(-20).join('\n');
  throw new Error(`${what} did not become ready at ${url}${gone ? ' (its process exited)' : ` within ${seconds} s`}; the end of its log:\n${tail}`);
}

export async function startDemoStack(options: StackOptions): Promise<DemoStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omd-bench-flows-'));
  const logDir = join(dataDir, 'log');
  mkdirSync(logDir, { recursive: true });
  const port = await freeBasePort();
  const hubUrl = `http://localhost:${port}`;
  const idpUrl = `http://127.0.0.1:${port + IDP_OFFSET}`;
  const signerUrl = `http://127.0.0.1:${port + SIGNER_OFFSET}`;
  const database = process.env.DATABASE_URL ? await freshPostgres(process.env.DATABASE_URL) : undefined;

  const ca = await createDemoCa();
  const trust = await writeTrustFiles(join(dataDir, 'trust'), ca);
  const registryFile = join(dataDir, 'registry.json');
  writeFileSync(registryFile, `${JSON.stringify(registryFor(port, '127.0.0.1'), null, 2)}\n`);

  const base: NodeJS.ProcessEnv = { ...process.env, HUB_PORT: String(port), HUB_PUBLIC_URL: hubUrl, DATA_DIR: dataDir };
  delete base.DATABASE_URL;
  delete base.SMTP_URL;
  const hubEnv: NodeJS.ProcessEnv = {
    ...base,
    HUB_HOST: '127.0.0.1',
    REGISTRY_FILE: registryFile,
    X509_TRUST_ANCHORS: trust.rootCa,
    X509_CRLS: `${trust.issuingCrl},${trust.rootCrl}`,
    SIGNER_URL: signerUrl,
    OIDC_ISSUER: idpUrl,
    OIDC_CLIENT_ID: 'openmydata-hub',
    OIDC_CLIENT_SECRET: process.env.IDP_CLIENT_SECRET ?? 'openmydata-demo-idp-client-secret',
    NEW_SESSIONS_PER_ADDRESS: '1000000',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.hubEnv,
  };

  const started: StackProcess[] = [];
  const launch = (name: StackProcess['name'], script: string, env: NodeJS.ProcessEnv): StackProcess => {
    const logFile = join(logDir, `${name}.log`);
    const fd = openSync(logFile, 'a', 0o600);
    // Each thread writes its own profile there (tsx's module hooks run on a thread of their own).
    const profile = options.profileDir && name !== 'idp' ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, name)}`] : [];
    // The log file is the child's own stdout and stderr, so the bench spends nothing on its output.
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc = { name, pid: child.pid as number, child, logFile, exited };
    started.push(proc);
    return proc;
  };

  const stop = async () => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(
      started.map(async (p) => {
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
        await p.exited;
        clearTimeout(timer);
      }),
    );
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    options.log(`starting the demo stack on 127.0.0.1:${port}… (${database ? 'PostgreSQL' : 'SQLite'})`);
    const agencies = launch('agencies', 'demo/src/agencies-main.ts', base);
    const idp = launch('idp', 'demo/src/idp/main.ts', { ...base, IDP_PORT: String(port + IDP_OFFSET) });
    const hub = launch('hub', 'packages/hub/src/main.ts', hubEnv);
    await waitUntilReady(`http://127.0.0.1:${port}/readyz`, 'the hub', hub);
    await waitUntilReady(`${idpUrl}/.well-known/openid-configuration`, 'the mock mobile ID', idp);
    for (const agency of DEMO_AGENCIES) await waitUntilReady(`http://127.0.0.1:${port + agency.portOffset}/healthz`, `the ${agency.id} agency`, agencies);
    const operator = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', 'packages/hub/src/cli/operator.ts', ...args],
          { cwd: root, env: hubEnv, timeout: 120_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`operator ${args.slice(0, 3).join(' ')} failed:\n${stdout}${stderr}`)) : resolve(`${stdout}${stderr}`),
        ),
      );
    return { hubUrl, idpUrl, signerUrl, ca, engine: database ? 'postgres' : 'sqlite', dataDir, hub, agencies, idp, operator, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
