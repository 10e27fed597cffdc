// Headers every HTML page carries, portal and counter console alike: a strict CSP without inline
// script or style, no framing, no referrer.
import type { FastifyInstance } from 'fastify';

export function contentSecurityPolicy(options: { connect?: readonly string[] }): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ');
  return [
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
}

export function pageSecurityHeaders(app: FastifyInstance, options: { connect?: readonly string[] }): void {
  const policy = contentSecurityPolicy(options);
  app.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('content-security-policy', policy);
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'no-referrer');
    }
    return payload;
  });
}
