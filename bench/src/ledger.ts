// Ledger figures: appends per second in batches of 1,000 (target >= 20,000/s) and the time of one
// inclusion proof on a 10,000,000-entry tree (target < 5 ms), both on SQLite through the hub's own
// Ledger code. The 10 M tree is real (every perfect subtree hash stored, as appends store them) but
// its entries are synthetic: leaf hash SHA-256(0x00 || 8-byte index) and no leaf bytes, as after
// retention. It is built once into var/bench/ledger-10m/ and reused (BENCH_LEDGER_REBUILD=1 rebuilds).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompactRange,
  type Db,
  leafHash,
  Ledger,
  type LedgerEntryInput,
  migrateToLatest,
  openDatabase,
  type StoredSubtree,
  verifyConsistency,
  verifyInclusion,
} from '@openmydata/hub';
import { CompiledQuery, sql } from 'kysely';

const APPEND_BATCH = 1000;
const APPEND_BATCHES = 100;
const APPEND_TARGET = 20_000;
const TREE_SIZE = 10_000_000;
const PROOFS = 2000;
const PROOF_TARGET_MS = 5;
const ROWS_PER_INSERT = 1000;
const ROWS_PER_TRANSACTION = 500_000;
const CACHE_DIR = `${join(import.meta.dirname, '../../var/bench/ledger-10m')}/`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Entries shaped like a real flow's, varied so no two leaves are alike. */
function flowEntries(count: number, offset: number): LedgerEntryInput[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    return {
      action: n % 3 === 0 ? 'agency_request' : n % 3 === 1 ? 'agency_outcome' : 'transfer_to_service',
      actor: n % 3 === 1 ? { kind: 'agency', id: `agency-${n % 17}` } : { kind: 'hub', id: 'hub' },
      subject: randomBytes(32).toString('hex'),
      datasets: ['household-personal', `dataset-${n % 40}`],
      consent: `0b7e${n.toString(16).padStart(4, '0')}-5a1c-4d2e-9f00-${n.toString(16).padStart(12, '0')}`,
      recipient: `svc-${n % 25}`,
      purpose: '申請低收入戶補助 (low-income subsidy application)',
      outcome: n % 3 === 1 ? 'ok' : null,
    };
  });
}

async function measureAppends(): Promise<{ perSecond: number; singlePerSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'omd-bench-ledger-'));
  const { db, engine } = openDatabase({ dataDir: dir });
  try {
    await migrateToLatest(db);
    const ledger = new Ledger({ db, engine, secret: randomBytes(32) });
    const batches = Array.from({ length: APPEND_BATCHES }, (_, b) => flowEntries(APPEND_BATCH, b * APPEND_BATCH));
    await ledger.append(flowEntries(APPEND_BATCH, -APPEND_BATCH)); // warm-up: JIT, statement shapes
    const started = performance.now();
    for (const batch of batches) await ledger.append(batch);
    const perSecond = (APPEND_BATCH * APPEND_BATCHES) / ((performance.now() - started) / 1000);
    const singles = flowEntries(500, 10_000_000);
    const singleStarted = performance.now();
    for (const entry of singles) await ledger.append([entry]);
    const singlePerSecond = singles.length / ((performance.now() - singleStarted) / 1000);
    return { perSecond, singlePerSecond };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function syntheticLeafHash(index: number): Buffer {
  const leaf = Buffer.alloc(8);
  leaf.writeBigUInt64BE(BigInt(index));
  return leafHash(leaf);
}

async function insertRows(db: Db, table: string, columns: string, rowSql: string, params: unknown[], rowCount: number): Promise<void> {
  const values = Array.from({ length: rowCount }, () => rowSql).join(',');
  await db.executeQuery(CompiledQuery.raw(`insert into ${table} (${columns}) values ${values}`, params));
}

/** Builds the 10 M tree the way appends would store it, with bulk inserts in large transactions. */
async function buildTree(db: Db, log: (line: string) => void): Promise<Buffer> {
  await sql`pragma synchronous = off`.execute(db);
  const tree = new CompactRange(0, []);
  const created = new Date('2026-01-01T00:00:00.000Z').toISOString();
  const started = performance.now();
  for (let start = 0; start < TREE_SIZE; start += ROWS_PER_TRANSACTION) {
    const end = Math.min(TREE_SIZE, start + ROWS_PER_TRANSACTION);
    await db.transaction().execute(async (trx) => {
      let entryParams: unknown[] = [];
      let nodes: StoredSubtree[] = [];
      const flushNodes = async (all: boolean) => {
        while (nodes.length >= ROWS_PER_INSERT || (all && nodes.length > 0)) {
          const chunk = nodes.slice(0, ROWS_PER_INSERT);
          nodes = nodes.slice(ROWS_PER_INSERT);
          await insertRows(
            trx,
            'ledger_nodes',
            'level, idx, hash',
            '(?,?,?)',
            chunk.flatMap((n) => [n.level, n.index, n.hash]),
            chunk.length,
          );
        }
      };
      for (let i = start; i < end; i++) {
        const hash = syntheticLeafHash(i);
        entryParams.push(i, created, hash);
        nodes.push(...tree.append(hash));
        if (entryParams.length === ROWS_PER_INSERT * 3 || i === end - 1) {
          await insertRows(trx, 'ledger_entries', 'idx, created_at, leaf_hash', '(?,?,?)', entryParams, entryParams.length / 3);
          entryParams = [];
          await flushNodes(false);
        }
      }
      await flushNodes(true);
    });
    const seconds = (performance.now() - started) / 1000;
    log(`  building the 10 M tree: ${fmt(end)} entries, ${fmt(seconds)} s`);
  }
  await sql`pragma synchronous = normal`.execute(db);
  return tree.root();
}

async function measureProofs(log: (line: string) => void): Promise<{ inclusion: number[]; consistency: number[]; buildSeconds: number | undefined }> {
  const marker = join(CACHE_DIR, 'built.json');
  if (process.env.BENCH_LEDGER_REBUILD === '1') rmSync(CACHE_DIR, { recursive: true, force: true });
  const cached = existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as { size: number; root: string }) : undefined;
  if (!cached) rmSync(CACHE_DIR, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  const { db, engine } = openDatabase({ dataDir: CACHE_DIR });
  try {
    await migrateToLatest(db);
    let root: Buffer;
    let buildSeconds: number | undefined;
    if (cached?.size === TREE_SIZE) {
      root = Buffer.from(cached.root, 'base64');
      log(`  reusing the 10 M tree in ${CACHE_DIR}`);
    } else {
      const started = performance.now();
      root = await buildTree(db, log);
      buildSeconds = (performance.now() - started) / 1000;
      writeFileSync(marker, JSON.stringify({ size: TREE_SIZE, root: root.toString('base64') }));
    }
    const ledger = new Ledger({ db, engine, secret: randomBytes(32) });
    if (!(await ledger.rootAt(TREE_SIZE)).equals(root)) throw new Error('the stored tree does not give the built root');

    const random = (n: number) => Math.floor(Math.random() * n);
    for (let i = 0; i < 200; i++) await ledger.inclusionProof(random(TREE_SIZE), TREE_SIZE); // warm-up
    const inclusion: number[] = [];
    for (let i = 0; i < PROOFS; i++) {
      const index = random(TREE_SIZE);
      const started = performance.now();
      const path = await ledger.inclusionProof(index, TREE_SIZE);
      inclusion.push(performance.now() - started);
      if (i < 50 && !verifyInclusion(index, TREE_SIZE, syntheticLeafHash(index), path, root)) throw new Error(`inclusion proof for ${index} does not verify`);
    }
    const consistency: number[] = [];
    for (let i = 0; i < 200; i++) {
      const first = 1 + random(TREE_SIZE - 1);
      const started = performance.now();
      const proof = await ledger.consistencyProof(first, TREE_SIZE);
      consistency.push(performance.now() - started);
      if (i < 10 && !verifyConsistency(first, TREE_SIZE, await ledger.rootAt(first), root, proof))
        throw new Error(`consistency proof ${first} does not verify`);
    }
    return { inclusion, consistency, buildSeconds };
  } finally {
    await db.destroy();
  }
}

export async function run(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`ledger bench: appending ${fmt(APPEND_BATCH * APPEND_BATCHES)} entries…`);
  const appends = await measureAppends();
  log('ledger bench: inclusion proofs on 10,000,000 entries…');
  const proofs = await measureProofs(log);

  const p50 = percentile(proofs.inclusion, 0.5);
  const p95 = percentile(proofs.inclusion, 0.95);
  const rows: string[][] = [
    ['figure', 'measured', 'target', 'ratio', ''],
    [
      `appends/s, batches of ${fmt(APPEND_BATCH)}`,
      `${fmt(appends.perSecond)}/s`,
      `>= ${fmt(APPEND_TARGET)}/s`,
      `${(appends.perSecond / APPEND_TARGET).toFixed(2)}x`,
      appends.perSecond >= APPEND_TARGET ? 'PASS' : 'FAIL',
    ],
    [
      `inclusion proof, 10 M entries, p50 of ${fmt(PROOFS)}`,
      `${p50.toFixed(3)} ms`,
      `< ${PROOF_TARGET_MS} ms`,
      `${(PROOF_TARGET_MS / p50).toFixed(1)}x`,
      p50 < PROOF_TARGET_MS ? 'PASS' : 'FAIL',
    ],
    [
      'inclusion proof, 10 M entries, p95',
      `${p95.toFixed(3)} ms`,
      `< ${PROOF_TARGET_MS} ms`,
      `${(PROOF_TARGET_MS / p95).toFixed(1)}x`,
      p95 < PROOF_TARGET_MS ? 'PASS' : 'FAIL',
    ],
    ['inclusion proof, 10 M entries, max', `${Math.max(...proofs.inclusion).toFixed(3)} ms`, '', '', ''],
    ['consistency proof, 10 M entries, p50', `${percentile(proofs.consistency, 0.5).toFixed(3)} ms`, '', '', ''],
    ['appends/s, one entry per call (unbatched)', `${fmt(appends.singlePerSecond)}/s`, '', '', ''],
  ];
  const widths = [48, 14, 14, 8, 4];
  process.stdout.write(`\nledger, SQLite, one process on ${availableParallelism()} cores\n\n`);
  for (const row of rows) {
    process.stdout.write(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' ')}\n`);
  }
  if (proofs.buildSeconds !== undefined) process.stdout.write(`\n  (the 10 M tree was built in ${fmt(proofs.buildSeconds)} s and is kept in ${CACHE_DIR})\n`);
  process.stdout.write('\n');
  const pass = appends.perSecond >= APPEND_TARGET && p95 < PROOF_TARGET_MS;
  process.exitCode = pass ? 0 : 1;
}
