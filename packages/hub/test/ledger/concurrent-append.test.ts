// Two hub processes appending to one database at the same time (PostgreSQL when DATABASE_URL is
// set, else one SQLite file) still give one total order: indices 0..N-1, no gaps, no duplicates,
// each batch contiguous, and the tree verifies.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { decodeLeaf } from '../../src/ledger/leaf.ts';
import { verifyLog } from '../../src/ledger/verify-log.ts';
import { openTestLedger, type TestLedger } from './fixtures/open-ledger.ts';

const WORKER = join(import.meta.dirname, 'fixtures/append-worker.ts');
const BATCHES = 25;
const LOOPS = 3;

let t: TestLedger;
before(async () => {
  t = await openTestLedger();
});
after(async () => t.close());

function startWorker(name: string): { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string> } {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    WORKER: name,
    BATCHES: String(BATCHES),
    LOOPS: String(LOOPS),
    DATA_DIR: t.database.dataDir,
  };
  if (t.database.databaseUrl) env.DATABASE_URL = t.database.databaseUrl;
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const { value, done } = await lines.next();
  assert.ok(!done, 'the worker ended early');
  return value as string;
}

test('two processes appending concurrently produce a gap-free, totally ordered log', async (ctx) => {
  const workers = [startWorker('a'), startWorker('b')];
  for (const w of workers) assert.equal(await nextLine(w.lines), 'ready');
  for (const w of workers) w.child.stdin.write('go\n');
  // Both have appended once before either goes on, so the log interleaves however the machine schedules them.
  for (const w of workers) assert.equal(await nextLine(w.lines), 'opened');
  for (const w of workers) w.child.stdin.end('continue\n');
  const results = await Promise.all(workers.map(async (w) => JSON.parse(await nextLine(w.lines)) as Array<{ batch: string; indices: number[] }>));
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.child.exitCode === null ? w.child.once('exit', resolve) : resolve(null)))));

  const batches = results.flat();
  assert.equal(batches.length, 2 * (LOOPS * BATCHES + 1), 'every loop batch and one opening batch per process');
  const all = batches.flatMap((b) => b.indices).sort((x, y) => x - y);
  const total = all.length;
  assert.deepEqual(
    all,
    Array.from({ length: total }, (_, i) => i),
    'indices 0..N-1, each once',
  );
  for (const b of batches) {
    assert.deepEqual(
      b.indices,
      Array.from({ length: b.indices.length }, (_, i) => (b.indices[0] as number) + i),
      `batch ${b.batch} is contiguous`,
    );
  }
  // The processes really did interleave: the log alternates between them somewhere.
  const owner = new Map(batches.flatMap((b) => b.indices.map((i) => [i, b.batch[0]] as const)));
  let switches = 0;
  for (let i = 1; i < total; i++) if (owner.get(i) !== owner.get(i - 1)) switches += 1;
  assert.ok(switches >= 2, `appends interleaved (${switches} switches)`);
  ctx.diagnostic(`${total} entries in ${batches.length} batches; the log switches process ${switches} times`);

  const rows = await t.db.selectFrom('ledger_entries').select(['idx', 'leaf']).orderBy('idx').execute();
  assert.equal(rows.length, total);
  for (const row of rows) {
    const entry = row.leaf ? decodeLeaf(row.leaf) : undefined;
    assert.equal(entry?.index, Number(row.idx), 'each leaf holds its own index');
  }
  const times = rows.map((r) => (r.leaf ? decodeLeaf(r.leaf)?.time : '') ?? '');
  assert.deepEqual(times, [...times].sort(), 'times never go backwards along the log');

  await t.ledger.signNewTreeHead();
  const report = await verifyLog(t.db);
  assert.deepEqual(report.problems, []);
  assert.equal(report.entries, total);
});
