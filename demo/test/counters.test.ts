// The demo's counters: a valid counters registry with at least 13 counter services at offices of
// Taoyuan City, Hualien County and Chiayi County, built only on data sets the demo catalogue has,
// and a clerk and a supervisor for every office.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCounterRegistry } from '@openmydata/hub';
import { DEMO_AGENCIES } from '../src/catalogue.ts';
import { DEMO_COUNTERS, DEMO_STAFF } from '../src/counters.ts';

test('at least 13 counter services at offices of three local governments, on the demo catalogue’s data sets', () => {
  const registry = parseCounterRegistry(DEMO_COUNTERS, 'the demo counters');
  assert.deepEqual(
    registry.governments.map((g) => g.name['zh-TW']),
    ['桃園市', '花蓮縣', '嘉義縣'],
  );
  const services = registry.governments.flatMap((g) => g.offices.flatMap((o) => o.services));
  assert.ok(services.length >= 13, `${services.length} services`);
  const known = new Set<string>(DEMO_AGENCIES.flatMap((a) => a.datasets.map((d) => d.id)));
  for (const service of services) for (const dataset of service.datasets) assert.ok(known.has(dataset), `${service.id} needs ${dataset}`);
});

test('every office has a clerk and a supervisor with distinct TOTP secrets', () => {
  const offices = DEMO_COUNTERS.governments.flatMap((g) => g.offices.map((o) => o.id));
  for (const office of offices) {
    const roles = DEMO_STAFF.filter((s) => s.officeId === office).map((s) => s.role);
    assert.deepEqual(roles.sort(), ['clerk', 'supervisor'], office);
  }
  assert.equal(new Set(DEMO_STAFF.map((s) => s.totpSecret)).size, DEMO_STAFF.length);
  for (const s of DEMO_STAFF) assert.match(s.totpSecret, /^[A-Z2-7]{32}$/);
});
