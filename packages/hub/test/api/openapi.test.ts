// The hub's public API is described by an OpenAPI 3.1 document generated from the routes' own
// schemas: every API route is in it with its responses, a route without a schema cannot even be
// registered, and the copy in docs/ is the generated one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import { requireSchemas, routesOf } from '../../src/server.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { testRegistry } from '../helpers/registry.ts';

let t: TestHub;
before(async () => {
  t = await startTestHub({ registry: testRegistry([{ id: 'agency-a', baseUrl: 'http://127.0.0.1:9', datasets: ['alpha'] }]) });
});
after(async () => t?.stop());

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

test('GET /api/v1/openapi.json is OpenAPI 3.1 and lists every API route with its responses', async () => {
  const res = await fetch(`${t.url}/api/v1/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as OpenApi;
  assert.equal(doc.openapi, '3.1.0');
  const apiRoutes = routesOf(t.hub.app)
    .filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD' && !r.hidden)
    .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
  assert.ok(apiRoutes.length >= 9, `found ${apiRoutes.length} API routes`);
  for (const route of apiRoutes) {
    const [method, path] = route.split(' ') as [string, string];
    const operation = doc.paths[path]?.[method];
    assert.ok(operation, `${route} is documented`);
    assert.ok(
      Object.keys(operation.responses).some((code) => code.startsWith('2')),
      `${route} documents its success`,
    );
  }
});

test('the OpenAPI document in docs/ is the one the routes generate (npm run openapi writes it)', async () => {
  const generated = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as OpenApi & { servers?: unknown };
  const committed = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../docs/hub-api.openapi.json'), 'utf8')) as OpenApi & { servers?: unknown };
  const { servers: _a, ...rest } = generated;
  const { servers: _b, ...kept } = committed;
  assert.deepEqual(kept, rest, 'run npm run openapi and commit docs/hub-api.openapi.json');
});

test('a route without a schema, or an API route without a response schema, cannot be registered', async () => {
  const app = Fastify();
  requireSchemas(app);
  assert.throws(() => app.get('/page', async () => 'x'), /route GET \/page has no schema/);
  assert.throws(
    () => app.get('/api/v1/thing', { schema: { querystring: z.object({}) } }, async () => 'x'),
    /API route GET \/api\/v1\/thing has no response schema/,
  );
  app.get('/api/v1/fine', { schema: { response: { 200: z.object({}) } } }, async () => ({}));
  app.get('/fine', { schema: { hide: true } }, async () => 'x');
  await app.close();
});
