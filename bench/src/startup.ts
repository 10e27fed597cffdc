// The hub's start-up time and idle memory, run from the TypeScript sources under tsx (as `npm
// start` does) and from the compiled JavaScript (`npm run build`, then node packages/hub/dist/main.js).
// Each way is started ROUNDS times on a fresh SQLite data directory; start-up is from spawn to the
// first 200 from /readyz, idle RSS is read from /proc after SETTLE_MS without traffic.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROUNDS = 3;
const SETTLE_MS = 5000;
const root = join(import.meta.dirname, '../..');

const WAYS = [
  { name: 'tsx (TypeScript sources)', args: ['--import', 'tsx', 'packages/hub/src/main.ts'] },
  { name: 'compiled (dist/main.js)', args: ['packages/hub/dist/main.js'] },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kib / 1024;
}

async function once(args: string[]): Promise<{ startMs: number; rss: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omd-bench-startup-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', HUB_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.NODE_OPTIONS;
  delete env.DATABASE_URL;
  delete env.REGISTRY_FILE;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.includes('"msg":"hub listening"')) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`hub exited ${code} before listening`)));
    });
    while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 20));
    const startMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return { startMs, rss: rssMiB(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  process.stdout.write('building (npm run build)…\n');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');
  process.stdout.write(`hub start-up on SQLite, Node ${process.version}, median of ${ROUNDS} starts; idle RSS ${SETTLE_MS / 1000} s after ready\n`);
  for (const way of WAYS) {
    const results = [];
    for (let i = 0; i < ROUNDS; i++) results.push(await once(way.args));
    process.stdout.write(
      `  ${way.name.padEnd(26)} start-up ${median(results.map((r) => r.startMs)).toFixed(0)} ms, idle RSS ${median(results.map((r) => r.rss)).toFixed(0)} MiB\n`,
    );
  }
}
