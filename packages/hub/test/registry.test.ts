import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRegistry, RegistryError } from '../src/catalog/registry.ts';
import { testRegistry } from './helpers/registry.ts';

test('a valid registry parses, with defaults filled in', () => {
  const registry = parseRegistry(testRegistry([{ id: 'a', baseUrl: 'http://127.0.0.1:1', datasets: ['x'], maintenance: [{ start: '02:00', end: '02:30' }] }]));
  assert.equal(registry.agencies[0]?.maintenance[0]?.timeZone, 'Asia/Taipei');
});

test('each kind of mistake is named', () => {
  const base = testRegistry([{ id: 'a', baseUrl: 'http://127.0.0.1:1', datasets: ['x', 'y'] }]);
  const cases: Array<[string, (r: ReturnType<typeof testRegistry>) => void, RegExp]> = [
    ['duplicate data set', (r) => r.agencies.push({ ...(r.agencies[0] as (typeof r.agencies)[0]), id: 'b' }), /data set x is registered twice/],
    ['bad URL', (r) => Object.assign(r.agencies[0] as object, { base_url: 'ftp://x' }), /base_url/],
    ['level out of range', (r) => Object.assign(r.agencies[0]?.datasets[0] as object, { min_assurance_level: 5 }), /min_assurance_level/],
    ['bad id', (r) => Object.assign(r.agencies[0]?.datasets[0] as object, { id: '../x' }), /datasets\.0\.id/],
    ['bad clock', (r) => Object.assign(r.agencies[0] as object, { maintenance: [{ start: '25:00', end: '02:00' }] }), /HH:MM/],
  ];
  for (const [what, mutate, message] of cases) {
    const copy = structuredClone(base);
    mutate(copy);
    assert.throws(
      () => parseRegistry(copy),
      (error: unknown) => error instanceof RegistryError && message.test(error.message),
      what,
    );
  }
});

test('the hub refuses to start on an invalid registry file, saying why, exit 78', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omd-registry-'));
  const file = join(dir, 'registry.json');
  writeFileSync(file, '{"agencies": [');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/main.ts')], {
    env: { ...process.env, DATABASE_URL: '', HUB_PORT: '0', DATA_DIR: dir, REGISTRY_FILE: file, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 78, run.stderr);
  assert.match(run.stderr, /not valid JSON/);
  const badEnv = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/main.ts')], {
    env: { ...process.env, HUB_PORT: 'x', DATA_DIR: dir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(badEnv.status, 78);
  assert.match(badEnv.stderr, /HUB_PORT/);
});
