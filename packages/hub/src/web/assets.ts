// The portal's static assets and its security headers. Scripts and styles are files served here,
// so the pages can forbid inline scripts (CSP) and refuse to be framed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { passkeyScript } from '../identity/passkey/index.ts';

const here = (name: string) => join(import.meta.dirname, 'assets', name);
const ASSETS: Record<string, { type: string; body: string }> = {
  'portal.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(here('portal.js'), 'utf8') },
  'portal.css': { type: 'text/css; charset=utf-8', body: readFileSync(here('portal.css'), 'utf8') },
  'passkey.js': { type: 'text/javascript; charset=utf-8', body: passkeyScript() },
};

export function portalAssets(app: FastifyInstance, options: { signerUrl: string | undefined }): void {
  // The local card signer is the one other place the certificate login page may talk to.
  const connect = ["'self'", ...(options.signerUrl ? [new URL(options.signerUrl).origin] : [])].join(' ');
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  app.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('content-security-policy', policy);
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
    }
    return payload;
  });
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.name) ? ASSETS[request.params.name] : undefined;
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}
