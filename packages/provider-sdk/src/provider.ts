// createProvider: routes, the hub's keys, and the stores, wired once; the package endpoint does the work.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROVIDER_API } from '@openmydata/protocol';
import { ProviderError } from './errors.ts';
import { findCjkFont } from './font.ts';
import { sendJson, sendProblem } from './http.ts';
import { hubKeyResolver } from './hub-keys.ts';
import { KeyRing } from './key-ring.ts';
import { compileMaintenance } from './maintenance.ts';
import { handlePackageRequest, type PackageEndpointDeps } from './package-endpoint.ts';
import { PreparationStore } from './preparation-store.ts';
import { redactError } from './redact.ts';
import { MemoryReplayStore } from './replay-store.ts';
import type { ListeningProvider, Logger, Provider, ProviderOptions } from './types.ts';
import { DEFAULT_MAX_CONCURRENT, validateOptions } from './validate-options.ts';

const SILENT: Logger = { info() {}, warn() {}, error() {} };

type Route = { methods: readonly string[]; handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void };

export function createProvider(options: ProviderOptions): Provider {
  validateOptions(options);
  // Every package carries a PDF: a missing font stops the agency now, not at its first request.
  findCjkFont();
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? SILENT;
  const keyRing = options.keyRing ?? KeyRing.generateSync({ now });
  const jwksUrl = new URL(options.hub.jwksUrl);
  if (jwksUrl.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(jwksUrl.hostname)) {
    logger.warn({ jwksUrl: jwksUrl.href }, 'hub JWKS is fetched over plain http; use https outside development');
  }
  const deps: PackageEndpointDeps = {
    agency: options.agency,
    datasets: new Map(options.datasets.map((d) => [d.id, d])),
    hubIssuer: options.hub.issuer,
    hubKeys: hubKeyResolver(jwksUrl),
    replayStore: options.replayStore ?? new MemoryReplayStore({ now }),
    maintenance: compileMaintenance(options.maintenance ?? []),
    preparations: new PreparationStore({
      now,
      maxAgeSeconds: options.maxPreparedAgeSeconds ?? 3600,
      redeliverySeconds: options.redeliverySeconds ?? PROVIDER_API.redeliverySeconds,
      onSettled: options.onPreparationSettled,
    }),
    keyRing,
    now,
    clockToleranceSeconds: options.clockToleranceSeconds ?? PROVIDER_API.defaultClockToleranceSeconds,
    logger,
  };

  // Shedding happens before the token is checked: an overloaded agency must answer cheaply.
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  let inFlight = 0;
  const packageRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (inFlight >= maxConcurrent) {
      logger.info({ status: 429, code: 'too_many_requests', inFlight }, 'package request shed');
      return sendProblem(res, new ProviderError('too_many_requests', { retryAfterSeconds: PROVIDER_API.minRetryAfterSeconds }));
    }
    inFlight += 1;
    try {
      await handlePackageRequest(req, res, deps);
    } finally {
      inFlight -= 1;
    }
  };

  const routes: Record<string, Route> = {
    [PROVIDER_API.jwksPath]: {
      methods: ['GET', 'HEAD'],
      handle: (_req, res) => sendJson(res, 200, keyRing.jwks(), { 'Cache-Control': 'public, max-age=300' }),
    },
    '/healthz': { methods: ['GET', 'HEAD'], handle: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    [PROVIDER_API.packagePath]: { methods: ['POST'], handle: packageRequest },
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void route(req, res).catch((error: unknown) => {
      logger.error({ err: redactError(error, undefined) }, 'request failed');
      if (!res.headersSent) sendProblem(res, new ProviderError('internal_error'));
      else res.destroy();
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://provider.invalid').pathname;
    } catch {
      // A malformed request target (e.g. an absolute-form URL that does not parse) names nothing here.
      return sendProblem(res, new ProviderError('not_found'));
    }
    const target = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!target) return sendProblem(res, new ProviderError('not_found'));
    if (!target.methods.includes(req.method ?? '')) {
      return sendProblem(res, new ProviderError('method_not_allowed', { headers: { Allow: target.methods.join(', ') } }));
    }
    return target.handle(req, res);
  }

  async function listen(port: number, host = '127.0.0.1'): Promise<ListeningProvider> {
    const server = createServer(handler);
    server.headersTimeout = 10_000;
    server.requestTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`,
      close: () =>
        new Promise<void>((resolve, reject) => {
          deps.preparations.close();
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        }),
    };
  }

  return { handler, listen, keyRing };
}
