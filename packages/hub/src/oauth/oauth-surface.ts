// The authorization server as one of the hub's surfaces: its own encapsulated Fastify plugin whose
// routes hand the raw request to oidc-provider. Bodies are left unread here (oidc-provider reads and
// limits them itself), and RFC 8414's metadata address serves the same document as OpenID discovery.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Surface } from '../server.ts';
import { OAUTH_ROUTES } from './authorization-server.ts';

const DISCOVERY = '/.well-known/openid-configuration';

export function oauthSurface(provider: Provider): Surface {
  const callback = provider.callback();
  const issuer = new URL(provider.issuer);
  const plugin: FastifyPluginAsync = async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const handOver = async (request: FastifyRequest, reply: FastifyReply, url = request.raw.url) => {
      reply.hijack();
      request.raw.url = url;
      // oidc-provider builds every URL from these (provider.proxy): always the issuer's.
      request.raw.headers['x-forwarded-host'] = issuer.host;
      request.raw.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
      delete request.raw.headers['x-forwarded-for'];
      reply.raw.setHeader('x-content-type-options', 'nosniff');
      await new Promise<void>((resolve) => {
        reply.raw.once('finish', resolve);
        reply.raw.once('close', resolve);
        callback(request.raw, reply.raw);
      });
    };
    const schema = { hide: true } as const;
    app.get(DISCOVERY, { schema }, (request, reply) => handOver(request, reply));
    app.get('/.well-known/oauth-authorization-server', { schema }, (request, reply) =>
      handOver(request, reply, DISCOVERY + (request.raw.url?.includes('?') ? request.raw.url.slice(request.raw.url.indexOf('?')) : '')),
    );
    app.get(OAUTH_ROUTES.jwks, { schema }, (request, reply) => handOver(request, reply));
    app.get(OAUTH_ROUTES.authorization, { schema }, (request, reply) => handOver(request, reply));
    app.get(`${OAUTH_ROUTES.authorization}/:uid`, { schema }, (request, reply) => handOver(request, reply));
    app.post(OAUTH_ROUTES.pushed_authorization_request, { schema }, (request, reply) => handOver(request, reply));
    app.post(OAUTH_ROUTES.token, { schema }, (request, reply) => handOver(request, reply));
  };
  return { plugin };
}
