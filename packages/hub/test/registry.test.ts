import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DATASET_CATEGORIES, FIELD_TYPES, mergeRegistries, parseRegistry, RegistryError, registryJsonSchema } from '../src/catalog/registry.ts';
import { isMessageKey, LANGS, translator } from '../src/web/i18n.ts';
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
    [
      'bad id',
      (r) => Object.assign(r.agencies[0]?.datasets[0] as object, { id: '../x' }),
      /agencies\[0\] \(a\)\.datasets\[0\] \(\.\.\/x\)\.id: use lower-case/,
    ],
    ['unknown member', (r) => Object.assign(r.agencies[0] as object, { jwks_uri: 'http://x' }), /agencies\[0\] \(a\): Unrecognized key: "jwks_uri"/],
    [
      'category not in the list',
      (r) => Object.assign(r.agencies[0]?.datasets[0] as object, { category: 'test' }),
      /category: Invalid option: expected one of "household"/,
    ],
    ['field type not in the list', (r) => Object.assign(r.agencies[0]?.datasets[0]?.fields[0] as object, { type: 'text' }), /fields\[0\] \(value\)\.type/],
    [
      'repeated field',
      (r) =>
        r.agencies[0]?.datasets[0]?.fields.push(structuredClone(r.agencies[0]?.datasets[0]?.fields[0] as (typeof r.agencies)[0]['datasets'][0]['fields'][0])),
      /fields\[1\] \(value\)\.id: repeats the field id value/,
    ],
    [
      'bad time zone',
      (r) => Object.assign(r.agencies[0] as object, { maintenance: [{ start: '01:00', end: '02:00', timeZone: 'Mars/Base' }] }),
      /maintenance\[0\]\.timeZone: is not an IANA time zone/,
    ],
    [
      'empty window',
      (r) => Object.assign(r.agencies[0] as object, { maintenance: [{ start: '01:00', end: '01:00' }] }),
      /maintenance\[0\]\.end: start and end are equal/,
    ],
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

test('docs/registry.schema.json is the JSON Schema the zod schema generates', () => {
  const published = JSON.parse(readFileSync(join(import.meta.dirname, '../../../docs/registry.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(published, registryJsonSchema(), 'regenerate it: npm run -s operator -- agency schema > docs/registry.schema.json');
});

test('the JSON Schema enumerates the field types and categories, and refuses unknown members', () => {
  const schema = registryJsonSchema() as {
    $schema: string;
    additionalProperties: boolean;
    $defs: Record<string, { properties: Record<string, { enum?: string[] }>; additionalProperties?: boolean }>;
  };
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(schema.$defs.Field?.properties.type?.enum, [...FIELD_TYPES]);
  assert.deepEqual(schema.$defs.Dataset?.properties.category?.enum, [...DATASET_CATEGORIES]);
  assert.equal(schema.additionalProperties, false);
  for (const name of ['Agency', 'Dataset', 'Field', 'MaintenanceWindow', 'LocalizedText']) assert.equal(schema.$defs[name]?.additionalProperties, false, name);
});

test('the registry file in docs/joining-as-an-agency.md is valid', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/joining-as-an-agency.md'), 'utf8');
  const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
  assert.ok(example, 'the page has a JSON example');
  const registry = parseRegistry(JSON.parse(example), 'the example');
  assert.deepEqual(
    registry.agencies.map((a) => [a.id, a.datasets.map((d) => d.category)]),
    [['city-welfare', ['welfare']]],
  );
});

test('every category has a name in both portal languages', () => {
  for (const category of DATASET_CATEGORIES) {
    const key = `categoryName_${category}`;
    assert.ok(isMessageKey(key), key);
    for (const lang of LANGS) assert.notEqual(translator(lang)(key), key, `${lang} ${key}`);
  }
});

test('registries combine, and an agency or data set id in two of them is refused naming both files', () => {
  const a = parseRegistry(testRegistry([{ id: 'a', baseUrl: 'http://127.0.0.1:1', datasets: ['x'] }]));
  const b = parseRegistry(testRegistry([{ id: 'b', baseUrl: 'http://127.0.0.1:2', datasets: ['y'] }]));
  const merged = mergeRegistries([
    { source: 'demo', registry: a },
    { source: 'extra/b.json', registry: b },
  ]);
  assert.deepEqual(
    merged.agencies.map((x) => x.id),
    ['a', 'b'],
  );
  const sameAgency = parseRegistry(testRegistry([{ id: 'a', baseUrl: 'http://127.0.0.1:3', datasets: ['z'] }]));
  assert.throws(
    () =>
      mergeRegistries([
        { source: 'demo', registry: a },
        { source: 'extra/a.json', registry: sameAgency },
      ]),
    (error: unknown) => error instanceof RegistryError && /agency a is in both demo and extra\/a\.json/.test(error.message),
  );
  const sameDataset = parseRegistry(testRegistry([{ id: 'c', baseUrl: 'http://127.0.0.1:3', datasets: ['x'] }]));
  assert.throws(
    () =>
      mergeRegistries([
        { source: 'demo', registry: a },
        { source: 'extra/c.json', registry: sameDataset },
      ]),
    (error: unknown) => error instanceof RegistryError && /data set x is registered by a in demo and by c in extra\/c\.json/.test(error.message),
  );
});
