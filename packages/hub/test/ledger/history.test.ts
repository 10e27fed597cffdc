// A person's usage history: only their entries, each with leaf bytes, an inclusion proof, the
// signed head and key, checkable offline with `npm run ledger -- verify-proof FILE`; CSV and JSON.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { historyToCsv, historyToJson } from '../../src/ledger/history.ts';
import { checkHistoryEntry, historyEntrySchema } from '../../src/ledger/verify-history-entry.ts';
import { openTestLedger, sampleEntry, type TestLedger } from './fixtures/open-ledger.ts';
import { runLedgerCli } from './fixtures/run-cli.ts';

let t: TestLedger;
let mine: string;
let theirs: string;

before(async () => {
  t = await openTestLedger();
  mine = t.subjectKey('A123456789');
  theirs = t.subjectKey('B287654326');
  let n = 0;
  for (let round = 0; round < 6; round++) {
    await t.ledger.append([
      ...Array.from({ length: 5 }, () => sampleEntry(n++)),
      { ...sampleEntry(n++, mine), purpose: round === 0 ? '=HYPERLINK("http://x") "quoted", 申請' : `round ${round}` },
      sampleEntry(n++, theirs),
    ]);
  }
});
after(async () => t.close());

test("history holds only the person's entries, each proven against one signed head", async () => {
  const history = await t.ledger.historyFor(mine);
  assert.equal(history.length, 6);
  assert.ok(history.every((h) => h.entry.subject === mine));
  const head = history[0]?.tree_head;
  assert.equal(head?.tree_size, await t.ledger.size(), 'a head covering every entry was signed on demand');
  for (const item of history) {
    assert.equal(historyEntrySchema.safeParse(item).success, true);
    assert.deepEqual(item.tree_head, head);
    const checks = await checkHistoryEntry(item);
    assert.deepEqual(
      checks.filter((c) => !c.ok),
      [],
      `entry ${item.index}`,
    );
  }
  assert.deepEqual(await t.ledger.historyFor('0'.repeat(64)), [], 'nobody has no history');
  await assert.rejects(t.ledger.historyFor('A123456789'), TypeError, 'a national ID is not a subject key');
});

test('CSV export: one row per entry, quoted, formula-safe, with a BOM for spreadsheets', async () => {
  const csv = historyToCsv(await t.ledger.historyFor(mine));
  assert.ok(csv.startsWith('\uFEFFindex,time,action,actor_kind,actor_id,datasets,consent,recipient,purpose,outcome,leaf_hash,tree_size\r\n'));
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines.length, 7);
  assert.match(lines[1] ?? '', /,"'=HYPERLINK\(""http:\/\/x""\) ""quoted"", 申請",/);
  assert.doesNotMatch(csv, /A123456789/);
});

test('JSON export round-trips and verifies entry by entry', async () => {
  const history = await t.ledger.historyFor(mine);
  const parsed = JSON.parse(historyToJson(history)) as { entries: unknown[] };
  assert.deepEqual(parsed.entries, JSON.parse(JSON.stringify(history)));
});

test('verify-proof checks an exported entry offline, and fails a doctored one', async () => {
  const [item] = await t.ledger.historyFor(mine);
  assert.ok(item);
  const dir = t.database.dataDir;
  const file = join(dir, 'entry.json');
  writeFileSync(file, JSON.stringify(item));
  const ok = await runLedgerCli(['verify-proof', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /ok +inclusion proof: entry \d+ is in the tree of \d+ entries/);
  assert.match(ok.stdout, /^OK: the entry is in the signed ledger\.$/m);

  const keys = join(dir, 'keys.json');
  writeFileSync(keys, JSON.stringify({ keys: await t.ledger.publicKeys() }));
  assert.equal((await runLedgerCli(['verify-proof', file, '--keys', keys])).code, 0);
  writeFileSync(keys, JSON.stringify({ keys: [] }));
  const untrusted = await runLedgerCli(['verify-proof', file, '--keys', keys]);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stdout, /FAIL +tree head signature: no trusted key has id/);

  const leaf = Buffer.from(item.leaf, 'base64')
    .toString('utf8')
    .replace(/"purpose":"[^"]*"/, '"purpose":"something else"');
  const doctored = join(dir, 'doctored.json');
  writeFileSync(doctored, JSON.stringify({ ...item, leaf: Buffer.from(leaf).toString('base64') }));
  const bad = await runLedgerCli(['verify-proof', doctored]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAIL +leaf hash/);
  assert.match(bad.stdout, /NOT VERIFIED/);

  const moved = join(dir, 'moved.json');
  writeFileSync(moved, JSON.stringify({ ...item, tree_head: { ...item.tree_head, tree_size: item.tree_head.tree_size + 1 } }));
  const resized = await runLedgerCli(['verify-proof', moved, '--json']);
  assert.equal(resized.code, 1);
  const report = JSON.parse(resized.stdout) as { ok: boolean; entries: Array<{ checks: Array<{ name: string; ok: boolean }> }> };
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.entries[0]?.checks.filter((c) => !c.ok).map((c) => c.name),
    ['tree head signature'],
  );

  const all = join(dir, 'export.json');
  writeFileSync(all, historyToJson(await t.ledger.historyFor(mine)));
  const whole = await runLedgerCli(['verify-proof', all]);
  assert.equal(whole.code, 0);
  assert.equal(whole.stdout.match(/^Entry \d+:/gm)?.length, 6, 'a whole JSON export is checked entry by entry');
});

test('verify-proof explains missing files, non-JSON and the wrong shape', async () => {
  const dir = t.database.dataDir;
  const missing = await runLedgerCli(['verify-proof', join(dir, 'nope.json')]);
  assert.equal(missing.code, 66);
  assert.match(missing.stderr, /does not exist/);
  writeFileSync(join(dir, 'text.json'), 'hello');
  const text = await runLedgerCli(['verify-proof', join(dir, 'text.json')]);
  assert.equal(text.code, 65);
  assert.match(text.stderr, /is not JSON/);
  writeFileSync(join(dir, 'shape.json'), '{"index": 1}');
  const shape = await runLedgerCli(['verify-proof', join(dir, 'shape.json')]);
  assert.equal(shape.code, 65);
  assert.match(shape.stderr, /is not an exported ledger entry/);
  const noFile = await runLedgerCli(['verify-proof']);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /exactly one FILE/);
});
