// The portal's static assets. Scripts and styles are files served here, so the pages can forbid
// inline scripts and styles (CSP).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { passkeyScript } from '../identity/passkey/index.ts';

const here = (name: string) => join(import.meta.dirname, 'assets', name);
const ASSETS: Record<string, { type: string; body: string }> = {
  'portal.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(here('portal.js'), 'utf8') },
  'portal.css': { type: 'text/css; charset=utf-8', body: readFileSync(here('portal.css'), 'utf8') },
  'passkey.js': { type: 'text/javascript; charset=utf-8', body: passkeyScript() },
  'counter.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(here('counter.js'), 'utf8') },
};

export function portalAssets(parent: FastifyInstance): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/assets/:name', { schema: { hide: true, params: z.object({ name: z.string().max(64) }) } }, async (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.name) ? ASSETS[request.params.name] : undefined;
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}
