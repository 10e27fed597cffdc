import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseRegistry } from '../src/catalog/registry.ts';
import { listAgencies, listDatasets, seedRegistry, upsertAgency } from '../src/catalog/repository.ts';
import type { Db } from '../src/store/database.ts';
import { openTestDb } from './helpers/open-db.ts';
import { testRegistry } from './helpers/registry.ts';

let db: Db;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await openTestDb());
});
after(async () => close());

test('several processes seeding at once all succeed (upserts, not delete-all)', async () => {
  const registry = parseRegistry(testRegistry([{ id: 'a', baseUrl: 'http://127.0.0.1:1', datasets: ['x', 'y'] }]));
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled([seedRegistry(db, registry), seedRegistry(db, registry), seedRegistry(db, registry)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled'],
      JSON.stringify(results.find((r) => r.status === 'rejected')),
    );
  }
  assert.deepEqual(
    (await listDatasets(db)).map((d) => d.id),
    ['x', 'y'],
  );
});

test('reseeding updates what changed and removes what the registry dropped', async () => {
  await seedRegistry(
    db,
    parseRegistry(
      testRegistry([
        { id: 'a', baseUrl: 'http://127.0.0.1:1', datasets: ['x', 'y'] },
        { id: 'b', baseUrl: 'http://127.0.0.1:2', datasets: ['z'] },
      ]),
    ),
  );
  await seedRegistry(db, parseRegistry(testRegistry([{ id: 'a', baseUrl: 'http://127.0.0.1:3', datasets: ['y'] }])));
  assert.deepEqual(
    (await listDatasets(db)).map((d) => d.id),
    ['y'],
  );
  const agencies = await listAgencies(db);
  assert.deepEqual(
    agencies.map((a) => a.id),
    ['a'],
  );
  assert.equal(agencies[0]?.baseUrl, 'http://127.0.0.1:3');
});

test("a restart with the registry file keeps agencies an operator registered, and still removes the file's dropped ones", async () => {
  await seedRegistry(
    db,
    parseRegistry(
      testRegistry([
        { id: 'file-a', baseUrl: 'http://127.0.0.1:1', datasets: ['fa'] },
        { id: 'file-b', baseUrl: 'http://127.0.0.1:2', datasets: ['fb'] },
      ]),
    ),
  );
  const [outside] = parseRegistry(testRegistry([{ id: 'outside', baseUrl: 'http://127.0.0.1:3', datasets: ['out'] }])).agencies;
  assert.ok(outside);
  await upsertAgency(db, outside);
  // The hub restarts with a file that no longer has file-b.
  await seedRegistry(db, parseRegistry(testRegistry([{ id: 'file-a', baseUrl: 'http://127.0.0.1:1', datasets: ['fa'] }])));
  assert.deepEqual((await listAgencies(db)).map((a) => a.id).sort(), ['file-a', 'outside']);
  assert.deepEqual((await listDatasets(db)).map((d) => d.id).sort(), ['fa', 'out']);
});
