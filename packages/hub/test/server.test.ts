import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { testRegistry } from './helpers/registry.ts';

let t: TestHub;
before(async () => {
  t = await startTestHub({
    registry: testRegistry([
      { id: 'agency-a', baseUrl: 'http://127.0.0.1:9', datasets: ['alpha', 'beta'] },
      { id: 'agency-b', baseUrl: 'http://127.0.0.1:9', datasets: ['gamma'], maintenance: [{ start: '02:00', end: '02:30' }] },
    ]),
  });
});
after(async () => t.stop());

async function problem(res: Response) {
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return (await res.json()) as { type: string; title: string; status: number; code: string; detail?: string };
}

test('healthz and readyz answer', async () => {
  assert.deepEqual(await (await fetch(`${t.url}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${t.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { database: 'ok', keys: 'ok' });
});

test('the hub publishes its request-signing key', async () => {
  const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
  // The request-signing key, and the services' authorization server's signing key beside it.
  assert.ok(jwks.keys.length >= 1);
  assert.equal(new Set(jwks.keys.map((k) => k.kid)).size, jwks.keys.length, 'each key its own kid');
  for (const key of jwks.keys) {
    assert.equal(key.alg, 'ES256');
    assert.equal(key.d, undefined, 'no private part');
  }
});

test('catalogue lists agencies and data sets from the registry', async () => {
  const agencies = (await (await fetch(`${t.url}/api/v1/agencies`)).json()) as { agencies: Array<{ id: string; datasets: string[] }> };
  assert.deepEqual(
    agencies.agencies.map((a) => a.id),
    ['agency-a', 'agency-b'],
  );
  assert.deepEqual(agencies.agencies[0]?.datasets, ['alpha', 'beta']);
  const datasets = (await (await fetch(`${t.url}/api/v1/datasets`)).json()) as {
    datasets: Array<{ id: string; agency: { id: string }; min_assurance_level: number }>;
  };
  assert.deepEqual(
    datasets.datasets.map((d) => d.id),
    ['alpha', 'beta', 'gamma'],
  );
  assert.equal(datasets.datasets[2]?.agency.id, 'agency-b');
  const filtered = (await (await fetch(`${t.url}/api/v1/datasets?agency=agency-a&q=beta`)).json()) as { datasets: Array<{ id: string }> };
  assert.deepEqual(
    filtered.datasets.map((d) => d.id),
    ['beta'],
  );
  const one = (await (await fetch(`${t.url}/api/v1/datasets/gamma`)).json()) as { id: string; maintenance_windows: unknown[] };
  assert.equal(one.id, 'gamma');
  assert.equal(one.maintenance_windows.length, 1);
});

test('catalogue answers carry an ETag that revalidates to 304, the same for the same bytes, another for another query', async () => {
  const first = await fetch(`${t.url}/api/v1/datasets`);
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[A-Za-z0-9_-]{27}"$/);
  assert.equal(first.headers.get('cache-control'), 'public, max-age=60');
  assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
  const body = await first.text();
  const again = await fetch(`${t.url}/api/v1/datasets`);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(await again.text(), body, 'the same bytes');
  const revalidated = await fetch(`${t.url}/api/v1/datasets`, { headers: { 'if-none-match': `W/${etag}, "other"` } });
  assert.equal(revalidated.status, 304);
  assert.equal(await revalidated.text(), '');
  const stale = await fetch(`${t.url}/api/v1/datasets`, { headers: { 'if-none-match': '"stale"' } });
  assert.equal(stale.status, 200);
  const filtered = await fetch(`${t.url}/api/v1/datasets?agency=agency-b`);
  assert.notEqual(filtered.headers.get('etag'), etag);
  assert.deepEqual(
    ((await filtered.json()) as { datasets: Array<{ id: string }> }).datasets.map((d) => d.id),
    ['gamma'],
  );
  for (const path of ['/api/v1/agencies', '/api/v1/datasets/gamma']) {
    const res = await fetch(`${t.url}${path}`);
    const tag = res.headers.get('etag') ?? '';
    assert.ok(tag, path);
    assert.equal((await fetch(`${t.url}${path}`, { headers: { 'if-none-match': tag } })).status, 304, path);
  }
});

test('unknown data set: 404 problem+json, in the client language', async () => {
  const res = await fetch(`${t.url}/api/v1/datasets/nope`, { headers: { 'accept-language': 'zh-TW' } });
  assert.equal(res.status, 404);
  const body = await problem(res);
  assert.equal(body.code, 'dataset_not_found');
  assert.equal(body.title, '查無此資料集');
  assert.equal(body.type, '/problems/dataset_not_found');
  const weird = await fetch(`${t.url}/api/v1/datasets/${encodeURIComponent('../../etc/passwd')}`);
  assert.equal(weird.status, 404);
  await problem(weird);
});

test('unknown route, bad query and bad JSON are problems, never 500', async () => {
  const missing = await fetch(`${t.url}/no/such/path`);
  assert.equal(missing.status, 404);
  assert.equal((await problem(missing)).code, 'not_found');
  const bad = await fetch(`${t.url}/api/v1/datasets?q=${'x'.repeat(500)}`);
  assert.equal(bad.status, 400);
  assert.equal((await problem(bad)).code, 'validation_failed');
  const types = await fetch(`${t.url}/problems/dataset_not_found`);
  assert.equal(((await types.json()) as { status: number }).status, 404);
});

test('every answer carries nosniff and no-store by default', async () => {
  const res = await fetch(`${t.url}/api/v1/ledger/sth`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('a malformed URL is a problem, not Fastify’s own error shape', async () => {
  const res = await fetch(`${t.url}/%ZZ`);
  assert.equal(res.status, 400);
  assert.equal((await problem(res)).code, 'validation_failed');
});
