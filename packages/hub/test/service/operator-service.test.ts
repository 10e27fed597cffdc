// npm run operator -- service ...: an operator registers, lists and removes service providers and
// their services in the hub's real database, validated against the published JSON Schema, each
// change leaving a ledger entry.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedRegistry } from '../../src/catalog/repository.ts';
import { parseRegistry } from '../../src/catalog/registry.ts';
import { listProviders, listServices } from '../../src/catalog/service-repository.ts';
import { serviceRegistryJsonSchema } from '../../src/catalog/service-registry.ts';
import type { LedgerEntry } from '../../src/ledger/entry.ts';
import { decodeLeaf } from '../../src/ledger/leaf.ts';
import { readEntryChunk } from '../../src/ledger/repository.ts';
import type { Db } from '../../src/store/database.ts';
import type { TestDatabase } from '../helpers/database.ts';
import { openTestDb } from '../helpers/open-db.ts';
import { testRegistry } from '../helpers/registry.ts';
import { type CliResult, runScript } from '../helpers/run-script.ts';
import { serviceKeys } from '../helpers/service-client.ts';

const CLI = join(import.meta.dirname, '../../src/cli/operator.ts');

let db: Db;
let database: TestDatabase;
let close: () => Promise<void>;
let jwks: unknown;

before(async () => {
  ({ db, database, close } = await openTestDb());
  await seedRegistry(db, parseRegistry(testRegistry([{ id: 'fia', baseUrl: 'http://127.0.0.1:1', datasets: ['income', 'property'] }])));
  jwks = (await serviceKeys()).jwks;
});
after(() => close());

function operator(...args: string[]): Promise<CliResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATA_DIR: database.dataDir };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  return runScript(CLI, args, { env });
}

let files = 0;
function file(content: unknown): string {
  const path = join(database.dataDir, `services-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

function registry(overrides: Record<string, unknown> = {}, service: Record<string, unknown> = {}) {
  return {
    providers: [
      {
        client_id: 'demo-bank',
        name: { 'zh-TW': '示範銀行', en: 'Demo Bank' },
        jwks,
        redirect_uris: ['https://bank.example.test/callback'],
        services: [
          {
            id: 'loan-prescreen',
            name: { 'zh-TW': '信用貸款預審', en: 'Loan pre-screening' },
            start_url: 'https://bank.example.test/',
            datasets: ['income', 'property'],
            purpose: { 'zh-TW': '評估貸款資格', en: 'To assess a loan application' },
            retention_days: 30,
            privacy_policy_url: 'https://bank.example.test/privacy',
            ...service,
          },
        ],
        ...overrides,
      },
    ],
  };
}

async function operatorEntries(): Promise<LedgerEntry[]> {
  const rows = await readEntryChunk(db, 0, 1000);
  return rows.map((r) => decodeLeaf(r.leaf as Buffer) as LedgerEntry).filter((e) => e.action === 'operator_action');
}

it('docs/service-registry.schema.json is the JSON Schema the zod schema generates', () => {
  const published = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../docs/service-registry.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(published, serviceRegistryJsonSchema(), 'regenerate it: npm run -s operator -- service schema > docs/service-registry.schema.json');
});

describe('service add', () => {
  it('refuses invalid files with each problem named by its path, and needs --operator', async () => {
    const anonymous = await operator('service', 'add', file(registry()));
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /needs --operator NAME/);
    const privateKey = { keys: [{ ...(jwks as { keys: Array<Record<string, unknown>> }).keys[0], d: 'secret' }] };
    const bad = await operator(
      'service',
      'add',
      file(registry({ jwks: privateKey, redirect_uris: ['ftp://bank.example.test/cb'] }, { retention_days: 0, webhook_url: 'https://x.test/#frag' })),
      '--operator',
      'alice',
    );
    assert.equal(bad.code, 65, bad.stderr);
    assert.match(bad.stderr, /providers\[0\]\.jwks: keys\[0\] holds private key material \(d\)/);
    assert.match(bad.stderr, /no encryption key/);
    assert.match(bad.stderr, /redirect_uris\[0\]: must be an http or https URL/);
    assert.match(bad.stderr, /services\[0\] \(loan-prescreen\)\.retention_days/);
    assert.match(bad.stderr, /webhook_url: must not hold a fragment/);
    const both = await operator('service', 'add', file(registry({ jwks_uri: 'https://bank.example.test/jwks' })), '--operator', 'alice');
    assert.equal(both.code, 65);
    assert.match(both.stderr, /give exactly one of jwks or jwks_uri/);
    const unknown = await operator('service', 'add', file(registry({}, { datasets: ['income', 'vehicles'] })), '--operator', 'alice');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /service loan-prescreen names data set vehicles, which is not in the catalogue/);
    assert.equal((await listProviders(db)).length, 0, 'nothing was registered');
  });

  it('registers, updates and lists; each change is a ledger entry', async () => {
    const added = await operator('service', 'add', file(registry()), '--operator', 'alice');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Registered service provider demo-bank: added loan-prescreen\. Ledger entry \d+\./);
    const updated = await operator('service', 'add', file(registry({}, { retention_days: 60 })), '--operator', 'bob');
    assert.match(updated.stdout, /Updated service provider demo-bank: updated loan-prescreen/);
    assert.equal((await listServices(db))[0]?.retentionDays, 60);
    const listed = await operator('service', 'list', '--json');
    const json = JSON.parse(listed.stdout) as { providers: Array<{ client_id: string; services: Array<{ id: string; datasets: string[] }> }> };
    assert.deepEqual(json.providers[0]?.services[0]?.datasets, ['income', 'property']);
    const text = await operator('service', 'list');
    assert.match(text.stdout, /demo-bank {2}示範銀行 · keys inline\n {4}loan-prescreen {2}信用貸款預審 · income, property · kept 60 d/);
    const entries = await operatorEntries();
    assert.deepEqual(
      entries.map((e) => [e.actor.id, e.recipient, e.outcome]),
      [
        ['alice', 'demo-bank', 'service_added'],
        ['bob', 'demo-bank', 'service_updated'],
      ],
    );
  });

  it('a service id another provider holds is refused', async () => {
    const other = registry({ client_id: 'other-bank' });
    const refused = await operator('service', 'add', file(other), '--operator', 'alice');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /service loan-prescreen is already registered by client demo-bank/);
  });

  it('warns when a jwks_uri cannot be reached', async () => {
    const { jwks: _inline, ...withoutJwks } = registry().providers[0] as Record<string, unknown>;
    const remote = {
      providers: [
        {
          ...withoutJwks,
          client_id: 'remote-bank',
          jwks_uri: 'http://127.0.0.1:1/jwks',
          services: [{ ...(registry().providers[0]?.services[0] as object), id: 'remote-loan' }],
        },
      ],
    };
    const added = await operator('service', 'add', file(remote), '--operator', 'alice');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Warning: its jwks_uri http:\/\/127\.0\.0\.1:1\/jwks could not be reached/);
  });
});

describe('service remove', () => {
  it('removes a service by id, a provider by client id, and refuses what is not there', async () => {
    const service = await operator('service', 'remove', 'remote-loan', '--operator', 'alice');
    assert.equal(service.code, 0, service.stderr);
    assert.match(service.stdout, /Removed service remote-loan/);
    const provider = await operator('service', 'remove', 'demo-bank', '--operator', 'alice');
    assert.match(provider.stdout, /Removed service provider demo-bank and its services \(loan-prescreen\)/);
    assert.deepEqual(
      (await listServices(db)).map((s) => s.id),
      [],
    );
    const missing = await operator('service', 'remove', 'nope', '--operator', 'alice');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No service or service provider nope is registered/);
    const entries = await operatorEntries();
    assert.deepEqual(
      entries.slice(-2).map((e) => e.outcome),
      ['service_removed', 'service_provider_removed'],
    );
  });
});
