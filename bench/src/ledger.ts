// npm run bench -- ledger [--appends]
// Ledger figures through the hub's own Ledger code: appends per second when 100 callers each append
// one entry at a time, concurrently, as flows do (target >= 20,000/s), on SQLite and, when
// DATABASE_URL is set, on PostgreSQL (a fresh database, dropped after); beside it one caller one
// entry at a time, and batches of 1,000. Then the time of one inclusion proof on a 10,000,000-entry
// tree (target < 5 ms), on SQLite (skipped with --appends). The 10 M tree is real (every perfect
// subtree hash stored, as appends store them) but its entries are synthetic: leaf hash
// SHA-256(0x00 || 8-byte index) and no leaf bytes, as after retention. It is built once into
// var/bench/ledger-10m/ and reused (BENCH_LEDGER_REBUILD=1 rebuilds).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
import { freshPostgres } from './fresh-postgres.ts';

const APPEND_BATCH = 1000;
const APPEND_BATCHES = 100;
const APPEND_TARGET = 20_000;
const CALLERS = 100;
const CONCURRENT_APPENDS = 20_000;
const CONCURRENT_SECONDS = 30;
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

interface AppendFigures {
  engine: 'sqlite' | 'postgres';
  /** Appends of APPEND_BATCH entries each, one after another. */
  batchPerSecond: number;
  /** One entry per call, one caller. */
  singlePerSecond: number;
  /** One entry per call, CALLERS callers at once: how flows append (the issue 12 target). */
  concurrentPerSecond: number;
  concurrentAppends: number;
}

/** Every caller appends one entry at a time until CONCURRENT_APPENDS are in or CONCURRENT_SECONDS pass. */
async function concurrentSingles(ledger: Ledger): Promise<{ perSecond: number; appended: number }> {
  let next = 0;
  const deadline = performance.now() + CONCURRENT_SECONDS * 1000;
  const started = performance.now();
  const caller = async () => {
    while (next < CONCURRENT_APPENDS && performance.now() < deadline) {
      const n = next++;
      const [entry] = flowEntries(1, 20_000_000 + n);
      await ledger.append([entry as LedgerEntryInput]);
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  return { perSecond: next / ((performance.now() - started) / 1000), appended: next };
}

async function measureAppends(databaseUrl: string | undefined): Promise<AppendFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'omd-bench-ledger-'));
  const database = databaseUrl ? await freshPostgres(databaseUrl) : undefined;
  const { db, engine } = openDatabase({ dataDir: dir, databaseUrl: database?.url });
  try {
    await migrateToLatest(db);
    const ledger = new Ledger({ db, engine, secret: randomBytes(32) });
    const batches = Array.from({ length: APPEND_BATCHES }, (_, b) => flowEntries(APPEND_BATCH, b * APPEND_BATCH));
    await ledger.append(flowEntries(APPEND_BATCH, -APPEND_BATCH)); // warm-up: JIT, statement shapes
    const started = performance.now();
    for (const batch of batches) await ledger.append(batch);
    const batchPerSecond = (APPEND_BATCH * APPEND_BATCHES) / ((performance.now() - started) / 1000);
    const singles = flowEntries(500, 10_000_000);
    const singleStarted = performance.now();
    for (const entry of singles) await ledger.append([entry]);
    const singlePerSecond = singles.length / ((performance.now() - singleStarted) / 1000);
    const sizeBefore = await ledger.size();
    const concurrent = await concurrentSingles(ledger);
    // Each call must have added exactly its one entry: a fast figure from lost appends would be no figure.
    const added = (await ledger.size()) - sizeBefore;
    if (added !== concurrent.appended) throw new Error(`${concurrent.appended} concurrent appends left ${added} entries`);
    return { engine, batchPerSecond, singlePerSecond, concurrentPerSecond: concurrent.perSecond, concurrentAppends: concurrent.appended };
  } finally {
    await db.destroy();
    await database?.drop();
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
  const { values } = parseArgs({ args: process.argv.slice(3), options: { appends: { type: 'boolean', default: false } }, strict: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const engines = [undefined, ...(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])];
  const appends: AppendFigures[] = [];
  for (const databaseUrl of engines) {
    log(`ledger bench (${databaseUrl ? 'PostgreSQL' : 'SQLite'}): batches, single appends, ${CALLERS} concurrent callers…`);
    appends.push(await measureAppends(databaseUrl));
  }
  let proofs: Awaited<ReturnType<typeof measureProofs>> | undefined;
  if (!values.appends) {
    log('ledger bench: inclusion proofs on 10,000,000 entries (SQLite)…');
    proofs = await measureProofs(log);
  }

  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const rows: string[][] = [['figure', 'measured', 'target', 'ratio', '']];
  for (const a of appends) {
    const name = a.engine === 'postgres' ? 'PostgreSQL' : 'SQLite';
    rows.push(
      [
        `${name}: appends/s, ${CALLERS} concurrent callers, 1 entry per call`,
        `${fmt(a.concurrentPerSecond)}/s`,
        `>= ${fmt(APPEND_TARGET)}/s`,
        `${(a.concurrentPerSecond / APPEND_TARGET).toFixed(2)}x`,
        verdict(a.concurrentPerSecond >= APPEND_TARGET),
      ],
      [`${name}: appends/s, 1 caller, 1 entry per call`, `${fmt(a.singlePerSecond)}/s`, '', '', ''],
      [`${name}: appends/s, batches of ${fmt(APPEND_BATCH)}`, `${fmt(a.batchPerSecond)}/s`, '', '', ''],
    );
  }
  let pass = appends.every((a) => a.concurrentPerSecond >= APPEND_TARGET);
  if (proofs) {
    const p50 = percentile(proofs.inclusion, 0.5);
    const p95 = percentile(proofs.inclusion, 0.95);
    rows.push(
      [
        `inclusion proof, 10 M entries, p50 of ${fmt(PROOFS)}`,
        `${p50.toFixed(3)} ms`,
        `< ${PROOF_TARGET_MS} ms`,
        `${(PROOF_TARGET_MS / p50).toFixed(1)}x`,
        verdict(p50 < PROOF_TARGET_MS),
      ],
      [
        'inclusion proof, 10 M entries, p95',
        `${p95.toFixed(3)} ms`,
        `< ${PROOF_TARGET_MS} ms`,
        `${(PROOF_TARGET_MS / p95).toFixed(1)}x`,
        verdict(p95 < PROOF_TARGET_MS),
      ],
      ['inclusion proof, 10 M entries, max', `${Math.max(...proofs.inclusion).toFixed(3)} ms`, '', '', ''],
      ['consistency proof, 10 M entries, p50', `${percentile(proofs.consistency, 0.5).toFixed(3)} ms`, '', '', ''],
    );
    pass &&= p95 < PROOF_TARGET_MS;
  }
  const widths = [62, 14, 14, 8, 4];
  process.stdout.write(`\nledger, one process on ${availableParallelism()} cores, Node ${process.version}\n\n`);
  for (const row of rows) {
    process.stdout.write(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' ')}\n`);
  }
  for (const a of appends) process.stdout.write(`\n  (${a.engine}: ${fmt(a.concurrentAppends)} concurrent appends, each checked to have added its one entry)`);
  if (proofs?.buildSeconds !== undefined) process.stdout.write(`\n  (the 10 M tree was built in ${fmt(proofs.buildSeconds)} s and is kept in ${CACHE_DIR})`);
  if (!process.env.DATABASE_URL) process.stdout.write('\n  (set DATABASE_URL to measure PostgreSQL too)');
  process.stdout.write('\n\n');
  process.exitCode = pass ? 0 : 1;
}
