// `npm run ledger -- verify` finds any edit to a stored entry, subtree hash or tree head, and names
// the entries concerned. Each test edits one row with raw SQL, verifies, and puts the row back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { encodeLeaf } from '../../src/ledger/leaf.ts';
import { decodeLeaf } from '../../src/ledger/leaf.ts';
import { leafHash } from '../../src/ledger/merkle.ts';
import { type LogReport, verifyLog } from '../../src/ledger/verify-log.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';
import { runLedgerCli } from './fixtures/run-cli.ts';

let t: TestLedger;

before(async () => {
  t = await openTestLedger();
  let n = 0;
  for (const size of [10, 7, 16, 20]) {
    await t.ledger.append(Array.from({ length: size }, () => sampleEntry(n++)));
    await t.ledger.signNewTreeHead();
  }
  assert.equal(await t.ledger.size(), 53);
});
after(async () => t.close());

async function row(index: number): Promise<{ leaf: Buffer; leaf_hash: Buffer }> {
  const r = await t.db.selectFrom('ledger_entries').select(['leaf', 'leaf_hash']).where('idx', '=', index).executeTakeFirstOrThrow();
  assert.ok(r.leaf);
  return { leaf: r.leaf, leaf_hash: r.leaf_hash };
}

async function setLeaf(index: number, leaf: Buffer | null): Promise<void> {
  await sql`update ledger_entries set leaf = ${leaf} where idx = ${index}`.execute(t.db);
}
async function setLeafHash(index: number, hash: Buffer): Promise<void> {
  await sql`update ledger_entries set leaf_hash = ${hash} where idx = ${index}`.execute(t.db);
}

/** Puts deleted rows back (PostgreSQL hands bigint columns back as strings). */
async function reinsert(
  rows: Array<{
    idx: number | string;
    subject_tag: number | string | null;
    created_at: string;
    subject_key: string | null;
    leaf_hash: Buffer;
    leaf: Buffer | null;
  }>,
) {
  const values = rows.map((r) => ({ ...r, idx: Number(r.idx), subject_tag: r.subject_tag === null ? null : Number(r.subject_tag) }));
  await t.db.insertInto('ledger_entries').values(values).execute();
}

function kinds(report: LogReport): string[] {
  return report.problems.map((p) => p.kind);
}

test('an untouched ledger verifies: entries, subtree hashes and every tree head', async () => {
  const report = await verifyLog(t.db);
  assert.deepEqual(report.problems, []);
  assert.equal(report.entries, 53);
  assert.equal(report.treeHeadsChecked, 4);
  assert.equal(report.subtreesChecked, 53 - 4); // n minus the number of set bits of 53 (110101)
  assert.equal(report.firstTamperedIndex, undefined);
});

test('edited leaf bytes: the entry is named', async () => {
  const original = await row(17);
  await setLeaf(17, Buffer.from(original.leaf.toString('utf8').replace('測試用途', '測試用涂')));
  try {
    const report = await verifyLog(t.db);
    assert.deepEqual(kinds(report), ['leaf_hash_mismatch']);
    assert.equal(report.firstTamperedIndex, 17);
    assert.match(report.problems[0]?.message ?? '', /^entry 17: /);
  } finally {
    await setLeaf(17, original.leaf);
  }
});

test('edited leaf hash: the entry is named, and the tree heads over it no longer match', async () => {
  const original = await row(17);
  await setLeafHash(17, Buffer.alloc(32, 7));
  try {
    const report = await verifyLog(t.db);
    assert.equal(report.firstTamperedIndex, 17);
    assert.deepEqual(kinds(report), ['leaf_hash_mismatch', 'tree_head_root_mismatch', 'tree_head_root_mismatch'], 'parents of the leaf are not reported again');
    assert.deepEqual(
      report.problems.filter((p) => p.kind === 'tree_head_root_mismatch').map((p) => p.treeSize),
      [33, 53],
    );
  } finally {
    await setLeafHash(17, original.leaf_hash);
  }
});

test('an entry rewritten with a matching leaf hash: its pair of entries is named', async () => {
  const original = await row(22);
  const entry = decodeLeaf(original.leaf);
  assert.ok(entry);
  const forged = encodeLeaf({ ...entry, recipient: 'someone-else' });
  await setLeaf(22, forged);
  await setLeafHash(22, leafHash(forged));
  try {
    const report = await verifyLog(t.db);
    assert.equal(report.problems[0]?.kind, 'subtree_mismatch');
    assert.match(report.problems[0]?.message ?? '', /entries 22\.\.23/);
    assert.equal(report.firstTamperedIndex, 22);
    assert.ok(kinds(report).includes('tree_head_root_mismatch'));
  } finally {
    await setLeaf(22, original.leaf);
    await setLeafHash(22, original.leaf_hash);
  }
});

test('an edited stored subtree hash is named by the entries it covers', async () => {
  const node = await t.db.selectFrom('ledger_nodes').select('hash').where('level', '=', 3).where('idx', '=', 1).executeTakeFirstOrThrow();
  await sql`update ledger_nodes set hash = ${Buffer.alloc(32)} where level = 3 and idx = 1`.execute(t.db);
  try {
    const report = await verifyLog(t.db);
    assert.deepEqual(kinds(report), ['subtree_mismatch']);
    assert.match(report.problems[0]?.message ?? '', /entries 8\.\.15/);
    assert.equal(report.firstTamperedIndex, 8);
  } finally {
    await sql`update ledger_nodes set hash = ${node.hash} where level = 3 and idx = 1`.execute(t.db);
  }
});

test('a deleted entry is named, and so are removed entries at the end', async () => {
  const original = await t.db.selectFrom('ledger_entries').selectAll().where('idx', '=', 30).executeTakeFirstOrThrow();
  await sql`delete from ledger_entries where idx = 30`.execute(t.db);
  try {
    const report = await verifyLog(t.db);
    assert.equal(report.problems[0]?.kind, 'entry_missing');
    assert.equal(report.firstTamperedIndex, 30);
  } finally {
    await reinsert([original]);
  }
  const tail = await t.db.selectFrom('ledger_entries').selectAll().where('idx', '>=', 50).execute();
  await sql`delete from ledger_entries where idx >= 50`.execute(t.db);
  try {
    const report = await verifyLog(t.db);
    assert.ok(kinds(report).includes('tree_head_beyond_log'), 'truncation shows against the signed head');
  } finally {
    await reinsert(tail);
  }
});

test('an entry re-pointed at another person is named', async () => {
  const other = t.subjectKey('B287654326');
  const original = await t.db.selectFrom('ledger_entries').select(['subject_key', 'subject_tag']).where('idx', '=', 12).executeTakeFirstOrThrow();
  await sql`update ledger_entries set subject_key = ${other} where idx = 12`.execute(t.db);
  try {
    const report = await verifyLog(t.db);
    assert.deepEqual(kinds(report), ['subject_key_mismatch']);
    assert.equal(report.firstTamperedIndex, 12);
  } finally {
    await sql`update ledger_entries set subject_key = ${original.subject_key} where idx = 12`.execute(t.db);
  }
});

test('an edited tree head fails its signature', async () => {
  const head = await t.db.selectFrom('ledger_tree_heads').selectAll().where('tree_size', '=', 33).executeTakeFirstOrThrow();
  await sql`update ledger_tree_heads set timestamp = ${Number(head.timestamp) + 1} where tree_size = 33`.execute(t.db);
  try {
    const report = await verifyLog(t.db);
    assert.deepEqual(kinds(report), ['tree_head_signature_invalid']);
    assert.equal(report.problems[0]?.treeSize, 33);
  } finally {
    await sql`update ledger_tree_heads set timestamp = ${Number(head.timestamp)} where tree_size = 33`.execute(t.db);
  }
});

test('the CLI prints a clear report and exits 1 naming the tampered entry', async () => {
  const clean = await runLedgerCli(['verify'], t.database);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /entries +53/);
  assert.match(clean.stdout, /^OK: /m);

  const original = await row(41);
  await setLeaf(41, Buffer.from(original.leaf.toString('utf8').replace('"v":1', '"v":1 ')));
  try {
    const tampered = await runLedgerCli(['verify'], t.database);
    assert.equal(tampered.code, 1, tampered.stderr);
    assert.match(tampered.stdout, /TAMPERED: 1 problem/);
    assert.match(tampered.stdout, /entry 41: its content does not hash to its stored leaf hash/);
    assert.match(tampered.stdout, /First tampered entry: 41/);
    const json = await runLedgerCli(['verify', '--json'], t.database);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as LogReport).firstTamperedIndex, 41);
  } finally {
    await setLeaf(41, original.leaf);
  }
});

test('the CLI explains bad arguments and a missing database', async () => {
  const none = await runLedgerCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Name a command/);
  const unknown = await runLedgerCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command "frobnicate"/);
  const flag = await runLedgerCli(['verify', '--nope']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown option '--nope'/);
  if (t.engine === 'sqlite') {
    const missing = await runLedgerCli(['verify'], { ...t.database, dataDir: `${t.database.dataDir}/nowhere` });
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /No hub database at/);
  }
});
