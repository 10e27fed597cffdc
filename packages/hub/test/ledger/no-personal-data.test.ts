// The ledger holds no personal data: a real broker fetch of records naming 王小明 (A123456789) and
// the entries of a whole flow around it are appended, and the ledger tables' raw contents (and, on
// SQLite, the database files themselves) never contain the ID, the name or the address.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { entriesForFetch } from '../../src/ledger/broker-entries.ts';
import type { LedgerEntryInput } from '../../src/ledger/entry.ts';
import { goodPackage, startFakeAgency, type FakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { testRegistry } from '../helpers/registry.ts';
import { closeAfterAll } from '../helpers/close-after-all.ts';

const NATIONAL_ID = 'A123456789';
const NAME = '王小明';
const ADDRESS = '臺北市中正區重慶南路一段122號';
const NEEDLES = [NATIONAL_ID, NATIONAL_ID.toLowerCase(), NAME, ADDRESS];

let t: TestHub;
let agency: FakeAgency;
const closeAfter = closeAfterAll();
before(async () => {
  agency = await startFakeAgency('household-office');
  closeAfter(() => agency.close());
  agency.behave(async (info) =>
    zipAnswer(await goodPackage(agency, info, { records: [{ name: NAME, national_id: NATIONAL_ID, address: ADDRESS, members: 3 }] })),
  );
  t = await startTestHub({ registry: testRegistry([{ id: 'household-office', baseUrl: agency.url, datasets: ['household-personal', 'household-members'] }]) });
  closeAfter(() => t.stop());
});

function holdsNeedle(value: unknown): string | undefined {
  for (const needle of NEEDLES) {
    if (Buffer.isBuffer(value) && value.includes(Buffer.from(needle, 'utf8'))) return needle;
    if (typeof value === 'string' && value.includes(needle)) return needle;
  }
  return undefined;
}

test('a whole flow is logged without the ID, the name or the address', async () => {
  const ledger = t.hub.ledger;
  const subject = ledger.subjectKey(NATIONAL_ID);
  const consent = crypto.randomUUID();
  const purpose = '申請低收入戶補助';
  const outcomes = await t.hub.broker.fetchAll({ subject: NATIONAL_ID, datasets: ['household-personal', 'household-members'], consentId: consent, purpose });
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['ok', 'ok'],
  );
  const first = outcomes[0];
  assert.ok(first?.status === 'ok' && first.package.files.get('data.json')?.toString('utf8').includes(NAME), 'the package really names the person');

  const citizen = { kind: 'citizen', id: subject } as const;
  const flow: LedgerEntryInput[] = [
    { action: 'identity_verified', actor: citizen, subject, outcome: 'assurance_level_1' },
    {
      action: 'consent_granted',
      actor: citizen,
      subject,
      consent,
      recipient: 'svc-low-income',
      purpose,
      datasets: ['household-personal', 'household-members'],
    },
    ...entriesForFetch({ subjectKey: subject, consentId: consent, purpose }, outcomes),
    { action: 'package_built', actor: { kind: 'hub', id: 'hub' }, subject, consent, datasets: ['household-personal', 'household-members'], outcome: 'ok' },
    { action: 'consent_used', actor: { kind: 'hub', id: 'hub' }, subject, consent, recipient: 'svc-low-income' },
    { action: 'transfer_to_service', actor: { kind: 'service', id: 'svc-low-income' }, subject, consent, recipient: 'svc-low-income', purpose, outcome: 'ok' },
    { action: 'counter_retrieval', actor: { kind: 'staff', id: 'taipei-social-0042' }, subject, consent, recipient: 'counter-taipei-social', outcome: 'ok' },
    { action: 'download', actor: citizen, subject, consent, outcome: 'ok' },
  ];
  assert.equal(flow.filter((e) => e.action === 'agency_request').length, 2);
  assert.equal(flow.filter((e) => e.action === 'agency_outcome').length, 2);
  await ledger.append(flow);
  const history = await ledger.historyFor(subject);
  assert.equal(history.length, flow.length);
  assert.equal(holdsNeedle(JSON.stringify(history)), undefined, 'the history export holds none either');

  const tables = ['ledger_entries', 'ledger_nodes', 'ledger_tree_heads'] as const;
  let cells = 0;
  for (const table of tables) {
    const rows = (await t.hub.db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
    assert.ok(rows.length > 0, `${table} has rows`);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        cells += 1;
        assert.equal(holdsNeedle(value), undefined, `${table}.${column} holds personal data`);
      }
    }
  }
  assert.ok(cells > 50);

  if (t.hub.engine === 'sqlite') {
    // The database files themselves, WAL included, as bytes on disk.
    for (const file of readdirSync(t.database.dataDir).filter((f) => f.startsWith('hub.sqlite'))) {
      assert.equal(holdsNeedle(readFileSync(join(t.database.dataDir, file))), undefined, `${file} holds personal data`);
    }
  }
});
