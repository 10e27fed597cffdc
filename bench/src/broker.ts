// Broker fan-out: 5 data sets from 5 agencies that each take 50 ms should complete in at most
// 1.2 x the time of one fetch from the slowest agency. Both are measured here, in one run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createHub, createLogger, type DatasetOutcome, loadConfig, parseRegistry, seedRegistry } from '@openmydata/hub';

const AGENCIES = 5;
const DELAY_MS = 50;
const ROUNDS = 30;
const TARGET = 1.2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] as number;
}

async function startAgency(id: string, hubUrl: string, issuer: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'timed-agency.ts')], {
    env: { ...process.env, AGENCY_ID: id, DELAY_MS: String(DELAY_MS), HUB_URL: hubUrl, HUB_ISSUER: issuer },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`agency ${id} exited ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omd-bench-'));
  const hub = await createHub(loadConfig({ HUB_PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'silent' }), { logger: createLogger({ level: 'silent' }) });
  const hubUrl = await hub.listen();
  const agencies = await Promise.all(Array.from({ length: AGENCIES }, (_, i) => startAgency(`bench-${i}`, hubUrl, hub.config.publicUrl)));
  try {
    const registry = {
      agencies: agencies.map((a, i) => ({
        id: `bench-${i}`,
        name: { 'zh-TW': `效能測試機關 ${i}`, en: `Bench agency ${i}` },
        base_url: a.url,
        datasets: [
          {
            id: `bench-ds-${i}`,
            name: { 'zh-TW': `資料集 ${i}`, en: `Data set ${i}` },
            description: { 'zh-TW': '效能測試', en: 'Benchmark' },
            category: 'household',
            fields: [{ id: 'value', name: { 'zh-TW': '值', en: 'Value' }, type: 'string' }],
            formats: ['json', 'pdf'],
            min_assurance_level: 4,
            typical_preparation_seconds: 0,
          },
        ],
      })),
    };
    await seedRegistry(hub.db, parseRegistry(registry));
    hub.catalogue.invalidate();

    // The whole retrieval path (authorisation, consume, fetch, progress rows, ledger entries), with a
    // delivery that keeps nothing: what a flow costs the hub besides building its package.
    const fetchSets = async (datasets: string[]) => {
      const started = performance.now();
      const consent = await hub.retrievals.authorizeOperator({ operator: 'bench', reason: 'benchmark', subjectKey: hub.subjectKey('A123456789'), datasets });
      let outcomes: readonly DatasetOutcome[] = [];
      const { done } = await hub.retrievals.retrieve({
        consentId: consent.id,
        nationalId: 'A123456789',
        delivery: {
          recipient: 'operator',
          accept: async (input) => {
            outcomes = input.outcomes;
            return undefined;
          },
        },
      });
      await done;
      const elapsed = performance.now() - started;
      const bad = outcomes.find((o) => o.status !== 'ok');
      if (bad) throw new Error(`bench fetch failed: ${bad.dataset} ${bad.status} ${'reason' in bad ? bad.reason : ''}`);
      return elapsed;
    };
    const all = registry.agencies.map((a) => (a.datasets[0] as { id: string }).id);
    // Warm up connections, JWKS caches and the JIT on both paths before measuring.
    for (let i = 0; i < 5; i++) {
      await fetchSets(all);
      await fetchSets([all[0] as string]);
    }
    const single: number[] = [];
    const fanout: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved so drift in machine load affects both series alike.
      single.push(await fetchSets([all[i % AGENCIES] as string]));
      fanout.push(await fetchSets(all));
    }
    const ratio = median(fanout) / median(single);
    const rows = [
      ['measure', 'median ms', 'p95 ms'],
      [`1 data set from 1 agency (${DELAY_MS} ms) [baseline]`, median(single).toFixed(1), p95(single).toFixed(1)],
      [`${AGENCIES} data sets from ${AGENCIES} agencies (${DELAY_MS} ms each)`, median(fanout).toFixed(1), p95(fanout).toFixed(1)],
    ];
    process.stdout.write(
      `\nbroker fan-out, ${ROUNDS} rounds, hub and ${AGENCIES} agency processes on ${(await import('node:os')).availableParallelism()} cores\n\n`,
    );
    for (const row of rows) process.stdout.write(`  ${(row[0] as string).padEnd(52)} ${(row[1] as string).padStart(10)} ${(row[2] as string).padStart(8)}\n`);
    process.stdout.write(`\n  fan-out ratio (median 5 / median 1): ${ratio.toFixed(3)}  target <= ${TARGET}  ${ratio <= TARGET ? 'PASS' : 'FAIL'}\n`);
    process.stdout.write(`  hub overhead over the agency's ${DELAY_MS} ms (fan-out median): ${(median(fanout) - DELAY_MS).toFixed(1)} ms\n\n`);
    process.exitCode = ratio <= TARGET ? 0 : 1;
  } finally {
    for (const a of agencies) a.child.kill('SIGTERM');
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
