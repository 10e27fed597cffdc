// npm run operator -- counter ...: an operator registers offices and counter services from a counters
// registry file and manages staff accounts in the hub's real database; readable refusals; every
// change a ledger entry; the credentials printed once are the ones the hub then accepts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findStaff, listServices } from '../../src/counter/counter-repository.ts';
import { totpCode, totpStep, verifyStaffPassword } from '../../src/counter/staff-credentials.ts';
import { resolveSecret } from '../../src/keys/secret.ts';
import type { LedgerEntry } from '../../src/ledger/entry.ts';
import { decodeLeaf } from '../../src/ledger/leaf.ts';
import { readEntryChunk } from '../../src/ledger/repository.ts';
import type { Db } from '../../src/store/database.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { openTestDb } from '../helpers/open-db.ts';
import { type CliResult, runScript } from '../helpers/run-script.ts';
import { TEST_COUNTERS } from './counter-helpers.ts';

const CLI = join(import.meta.dirname, '../../src/cli/operator.ts');
let db: Db;
let database: TestDatabase;
let close: () => Promise<void>;

before(async () => {
  ({ db, database, close } = await openTestDb());
});
after(() => close());

function operator(...args: string[]): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATA_DIR: database.dataDir };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  return runScript(CLI, args, { env });
}

function file(name: string, content: unknown): string {
  const path = join(database.dataDir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function credentialsIn(stdout: string): { password: string; totpSecret: string } {
  const password = /password: {4}(\S+)/.exec(stdout)?.[1];
  const totpSecret = /TOTP secret: (\S+)/.exec(stdout)?.[1];
  assert.ok(password && totpSecret, stdout);
  return { password, totpSecret };
}

async function operatorEntries(): Promise<LedgerEntry[]> {
  const rows = await readEntryChunk(db, 0, 1000);
  return rows.map((r) => decodeLeaf(r.leaf as Buffer) as LedgerEntry).filter((e) => e.action === 'operator_action');
}

test('counter add registers offices and services, names each in the ledger; bad files and missing names are refused', async () => {
  const refused = await operator('counter', 'add', file('counters.json', TEST_COUNTERS));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /needs --operator NAME/);
  const invalid = await operator(
    'counter',
    'add',
    file('bad.json', { governments: [{ id: 'X', name: { 'zh-TW': '', en: '' }, offices: [] }] }),
    '--operator',
    'ops.lin',
  );
  assert.equal(invalid.code, 65);
  assert.match(invalid.stderr, /governments\.0\.id: use lower-case letters/);
  assert.equal((await operator('counter', 'add', file('nojson.json', '{'), '--operator', 'ops.lin')).code, 65);
  const added = await operator('counter', 'add', file('counters.json', TEST_COUNTERS), '--operator', 'ops.lin');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Registered office taoyuan-social \(桃園市政府社會局\): taoyuan-low-income, taoyuan-emergency/);
  assert.deepEqual((await listServices(db)).map((s) => s.id).sort(), ['hualien-low-income', 'taoyuan-emergency', 'taoyuan-low-income']);
  const entries = await operatorEntries();
  assert.deepEqual(
    entries.map((e) => [e.actor.id, e.recipient, e.outcome]),
    [
      ['ops.lin', 'taoyuan-social', 'counter_office_added'],
      ['ops.lin', 'hualien-social', 'counter_office_added'],
    ],
  );
  const listed = JSON.parse((await operator('counter', 'list', '--json')).stdout) as { offices: Array<{ id: string }> };
  assert.deepEqual(
    listed.offices.map((o) => o.id),
    ['taoyuan-social', 'hualien-social'],
  );
});

test('staff add prints credentials once that the hub accepts; refusals are clear', async () => {
  const made = await operator('counter', 'staff', 'add', 'clerk.lin', '--office', 'taoyuan-social', '--role', 'clerk', '--operator', 'ops.lin');
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /otpauth:\/\/totp\/OpenMyData:clerk\.lin\?/);
  const { password, totpSecret } = credentialsIn(made.stdout);
  const stored = await findStaff(db, 'clerk.lin');
  assert.ok(stored);
  assert.equal(stored.officeId, 'taoyuan-social');
  assert.ok(!stored.passwordHash.includes(password), 'only a hash is kept');
  assert.ok(await verifyStaffPassword(password, stored.passwordHash));
  assert.ok(!(await verifyStaffPassword(`${password}x`, stored.passwordHash)));
  const secret = resolveSecret(undefined, database.dataDir);
  const at = new Date();
  assert.notEqual(totpStep(secret, 'clerk.lin', stored.sealedTotp, totpCode(totpSecret, at), at), undefined, 'the printed TOTP secret is the sealed one');
  for (const [args, code, message] of [
    [['clerk.lin', '--office', 'taoyuan-social', '--role', 'clerk'], 1, /exists already/],
    [['clerk.wu', '--office', 'nowhere', '--role', 'clerk'], 1, /no office nowhere/],
    [['clerk.wu', '--office', 'taoyuan-social', '--role', 'boss'], 2, /--role takes clerk or supervisor/],
    [['A123456789', '--office', 'taoyuan-social', '--role', 'clerk'], 1, /not a person’s name or ID/],
  ] as const) {
    const res = await operator('counter', 'staff', 'add', ...args, '--operator', 'ops.lin');
    assert.equal(res.code, code, res.stdout + res.stderr);
    assert.match(res.stderr, message);
  }
});

test('staff disable, enable and reset; removing an office disables its staff', async () => {
  assert.equal((await operator('counter', 'staff', 'disable', 'clerk.lin', '--operator', 'ops.lin')).code, 0);
  assert.ok((await findStaff(db, 'clerk.lin'))?.disabledAt);
  assert.equal((await operator('counter', 'staff', 'enable', 'clerk.lin', '--operator', 'ops.lin')).code, 0);
  assert.equal((await findStaff(db, 'clerk.lin'))?.disabledAt, undefined);
  const before = await findStaff(db, 'clerk.lin');
  const reset = await operator('counter', 'staff', 'reset', 'clerk.lin', '--operator', 'ops.lin');
  assert.equal(reset.code, 0, reset.stderr);
  const { password } = credentialsIn(reset.stdout);
  const after = await findStaff(db, 'clerk.lin');
  assert.notEqual(after?.passwordHash, before?.passwordHash);
  assert.ok(after && (await verifyStaffPassword(password, after.passwordHash)));
  assert.equal((await operator('counter', 'staff', 'disable', 'nobody.here', '--operator', 'ops.lin')).code, 1);
  const removed = await operator('counter', 'remove', 'taoyuan-social', '--operator', 'ops.lin');
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /disabled its staff \(clerk\.lin\)/);
  assert.ok((await findStaff(db, 'clerk.lin'))?.disabledAt);
  assert.deepEqual(
    (await listServices(db)).map((s) => s.id),
    ['hualien-low-income'],
  );
  const outcomes = (await operatorEntries()).map((e) => e.outcome);
  for (const outcome of ['staff_added_clerk', 'staff_disabled', 'staff_enabled', 'staff_reset', 'counter_office_removed'])
    assert.ok(outcomes.includes(outcome), outcome);
});
