// npm run operator -- agency ...: an operator registers, lists, checks and removes agencies in the
// hub's real database (SQLite, or PostgreSQL with DATABASE_URL), each change leaving a ledger entry.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { listAgencies, listDatasets } from '../src/catalog/repository.ts';
import { insertConsent } from '../src/consent/consent-repository.ts';
import type { LedgerEntry } from '../src/ledger/entry.ts';
import { decodeLeaf } from '../src/ledger/leaf.ts';
import { readEntryChunk } from '../src/ledger/repository.ts';
import type { Db } from '../src/store/database.ts';
import type { TestDatabase } from './helpers/database.ts';
import { openTestDb } from './helpers/open-db.ts';
import { testRegistry } from './helpers/registry.ts';
import { type CliResult, runScript } from './helpers/run-script.ts';

const CLI = join(import.meta.dirname, '../src/cli/operator.ts');

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

let files = 0;
function registryFile(content: unknown): string {
  const file = join(database.dataDir, `registry-${++files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function operatorEntries(): Promise<LedgerEntry[]> {
  const rows = await readEntryChunk(db, 0, 1000);
  return rows.map((r) => decodeLeaf(r.leaf as Buffer) as LedgerEntry).filter((e) => e.action === 'operator_action');
}

describe('agency add', () => {
  it('needs --operator, names each problem of an invalid file by its path, and reports a missing file', async () => {
    const file = registryFile(testRegistry([{ id: 'alpha', baseUrl: 'http://127.0.0.1:1', datasets: ['alpha-one'] }]));
    const anonymous = await operator('agency', 'add', file);
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /needs --operator NAME/);
    const badName = await operator('agency', 'add', file, '--operator', 'A123456789');
    assert.equal(badName.code, 2);

    const broken = testRegistry([{ id: 'alpha', baseUrl: 'ftp://127.0.0.1:1', datasets: ['alpha-one'] }]);
    Object.assign(broken.agencies[0]?.datasets[0] as object, { category: 'misc' });
    const invalid = await operator('agency', 'add', registryFile(broken), '--operator', 'alice');
    assert.equal(invalid.code, 65, invalid.stderr);
    assert.match(invalid.stderr, /agencies\[0\] \(alpha\)\.base_url: must be an http or https URL/);
    assert.match(invalid.stderr, /agencies\[0\] \(alpha\)\.datasets\[0\] \(alpha-one\)\.category: Invalid option/);
    const notJson = await operator('agency', 'add', registryFile('{"agencies": ['), '--operator', 'alice');
    assert.equal(notJson.code, 65);
    assert.match(notJson.stderr, /is not JSON/);
    const missing = await operator('agency', 'add', join(database.dataDir, 'nope.json'), '--operator', 'alice');
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /does not exist/);
    assert.deepEqual(await listAgencies(db), [], 'nothing was registered');
  });

  it('registers agencies one by one without removing the others, and records who did it', async () => {
    const first = await operator(
      'agency',
      'add',
      registryFile(testRegistry([{ id: 'alpha', baseUrl: 'http://127.0.0.1:1', datasets: ['alpha-one', 'alpha-two'] }])),
      '--operator',
      'alice',
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Registered agency alpha at http:\/\/127\.0\.0\.1:1: added alpha-one, alpha-two/);
    const second = await operator(
      'agency',
      'add',
      registryFile(testRegistry([{ id: 'beta', baseUrl: 'http://127.0.0.1:2', datasets: ['beta-one'] }])),
      '--operator',
      'bob',
    );
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      (await listAgencies(db)).map((a) => a.id),
      ['alpha', 'beta'],
    );
    const entries = await operatorEntries();
    assert.deepEqual(
      entries.map((e) => [e.actor, e.recipient, e.outcome, e.datasets]),
      [
        [{ kind: 'operator', id: 'alice' }, 'alpha', 'agency_added', ['alpha-one', 'alpha-two']],
        [{ kind: 'operator', id: 'bob' }, 'beta', 'agency_added', ['beta-one']],
      ],
    );
  });

  it('updates an agency: its data sets become those in the file, others keep their place', async () => {
    const update = await operator(
      'agency',
      'add',
      registryFile(testRegistry([{ id: 'alpha', baseUrl: 'http://127.0.0.1:3', datasets: ['alpha-two', 'alpha-three'] }])),
      '--operator',
      'alice',
    );
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, /Updated agency alpha .*added alpha-three; updated alpha-two; removed alpha-one/);
    assert.deepEqual(
      (await listDatasets(db)).map((d) => d.id),
      ['alpha-two', 'beta-one', 'alpha-three'],
    );
    assert.equal((await listAgencies(db)).find((a) => a.id === 'alpha')?.baseUrl, 'http://127.0.0.1:3');
    assert.equal((await operatorEntries()).at(-1)?.outcome, 'agency_updated');
  });

  it("refuses a file that takes another agency's data set id, registering none of it", async () => {
    const file = registryFile(
      testRegistry([
        { id: 'gamma', baseUrl: 'http://127.0.0.1:4', datasets: ['gamma-one'] },
        { id: 'delta', baseUrl: 'http://127.0.0.1:5', datasets: ['beta-one'] },
      ]),
    );
    const result = await operator('agency', 'add', file, '--operator', 'alice');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /delta: data set beta-one is already registered by agency beta/);
    assert.deepEqual(
      (await listAgencies(db)).map((a) => a.id),
      ['alpha', 'beta'],
    );
  });
});

describe('agency list and schema', () => {
  it('lists the agencies with their data sets, as text and JSON', async () => {
    const text = await operator('agency', 'list');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /alpha\s+http:\/\/127\.0\.0\.1:3/);
    assert.match(text.stdout, /alpha-two, alpha-three/);
    const json = JSON.parse((await operator('agency', 'list', '--json')).stdout) as { agencies: Array<{ id: string; datasets: string[] }> };
    assert.deepEqual(
      json.agencies.map((a) => [a.id, a.datasets]),
      [
        ['alpha', ['alpha-two', 'alpha-three']],
        ['beta', ['beta-one']],
      ],
    );
  });

  it('prints the JSON Schema; unknown commands and subjects are usage errors', async () => {
    const schema = await operator('agency', 'schema');
    assert.equal((JSON.parse(schema.stdout) as { $schema: string }).$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal((await operator('agency', 'frobnicate')).code, 2);
    assert.equal((await operator('frobnicator', 'list')).code, 2);
    assert.equal((await operator('agency', 'check')).code, 2);
  });
});

type AgencyBehaviour = 'good' | 'leaks-private-key' | 'not-the-api';

/** An agency's three public endpoints, answering as the Provider API says (or, on request, not). */
async function startAgency(behaviour: AgencyBehaviour): Promise<{ url: string; server: Server }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const published: JWK =
    behaviour === 'leaks-private-key'
      ? { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
      : { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (req.url === '/.well-known/jwks.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [published] }));
    if (req.url === '/v1/packages' && req.method === 'POST' && behaviour !== 'not-the-api') {
      return void res
        .writeHead(401, { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' })
        .end('{"type":"urn:openmydata:problem:token_missing","title":"Request token missing","status":401,"code":"token_missing"}');
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('agency check', () => {
  it('says OK for an agency that answers, publishes ES256 keys and serves the Provider API', async () => {
    const agency = await startAgency('good');
    try {
      await operator('agency', 'add', registryFile(testRegistry([{ id: 'epsilon', baseUrl: agency.url, datasets: ['epsilon-one'] }])), '--operator', 'alice');
      const result = await operator('agency', 'check', 'epsilon');
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /ok {4}healthz/);
      assert.match(result.stdout, /ok {4}jwks .*1 ES256 key \(kid k1\)/);
      assert.match(result.stdout, /ok {4}provider-api .*401 token_missing/);
      assert.match(result.stdout, /^OK: epsilon answers/m);
    } finally {
      await stop(agency.server);
    }
  });

  it('says what is wrong: a published private key, a base URL that is not the API, an agency that is down', async () => {
    const leaking = await startAgency('leaks-private-key');
    const elsewhere = await startAgency('not-the-api');
    try {
      await operator('agency', 'add', registryFile(testRegistry([{ id: 'epsilon', baseUrl: leaking.url, datasets: ['epsilon-one'] }])), '--operator', 'alice');
      const leak = await operator('agency', 'check', 'epsilon', '--json');
      assert.equal(leak.code, 1);
      const report = JSON.parse(leak.stdout) as { ok: boolean; checks: Array<{ check: string; status: string; detail: string }> };
      assert.equal(report.ok, false);
      assert.match(report.checks.find((c) => c.check === 'jwks')?.detail ?? '', /publishes its PRIVATE part/);

      await operator(
        'agency',
        'add',
        registryFile(testRegistry([{ id: 'epsilon', baseUrl: elsewhere.url, datasets: ['epsilon-one'] }])),
        '--operator',
        'alice',
      );
      const notApi = await operator('agency', 'check', 'epsilon');
      assert.equal(notApi.code, 1);
      assert.match(notApi.stdout, /FAIL {2}provider-api .*answered 404: the Provider API is not at the root of base_url/);
    } finally {
      await stop(leaking.server);
      await stop(elsewhere.server);
    }
    const down = await operator('agency', 'check', 'epsilon');
    assert.equal(down.code, 1);
    assert.match(down.stdout, /FAIL {2}healthz .*connection refused/);
    assert.match(down.stdout, /NOT OK: 3 checks failed \(healthz, jwks, provider-api\)/);
    const unknown = await operator('agency', 'check', 'nobody');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No agency nobody is registered/);
  });
});

describe('agency remove', () => {
  it('refuses while an unused consent names its data sets, removes with --force, and records it', async () => {
    await insertConsent(db, {
      subjectKey: 'a'.repeat(64),
      datasets: ['beta-one'],
      recipient: { kind: 'self', id: 'self' },
      purpose: 'download',
      validForMs: 3_600_000,
    });
    const anonymous = await operator('agency', 'remove', 'beta');
    assert.equal(anonymous.code, 2);
    const refused = await operator('agency', 'remove', 'beta', '--operator', 'alice');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /removes its data sets from the catalogue: beta-one/);
    assert.match(refused.stderr, /Refused: 1 granted, unused consent names these data sets/);
    assert.ok((await listAgencies(db)).some((a) => a.id === 'beta'));

    const forced = await operator('agency', 'remove', 'beta', '--operator', 'alice', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Warning: 1 granted, unused consent/);
    assert.equal(
      (await listAgencies(db)).some((a) => a.id === 'beta'),
      false,
    );
    assert.equal(
      (await listDatasets(db)).some((d) => d.id === 'beta-one'),
      false,
    );
    const last = (await operatorEntries()).at(-1);
    assert.deepEqual([last?.actor.id, last?.recipient, last?.outcome, last?.datasets], ['alice', 'beta', 'agency_removed', ['beta-one']]);

    const again = await operator('agency', 'remove', 'beta', '--operator', 'alice');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No agency beta is registered/);
  });

  it('removes an agency nothing depends on without --force', async () => {
    const result = await operator('agency', 'remove', 'alpha', '--operator', 'alice');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      (await listAgencies(db)).some((a) => a.id === 'alpha'),
      false,
    );
  });
});
