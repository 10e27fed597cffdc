// Mode 3 assembled for the composition root: the service registry's directory, the authorization
// server, the service delivery around the retrieval core, and what each plugs into (its own
// surface, portal pages, API routes, names for the history, housekeeping).
import type { FastifyInstance } from 'fastify';
import type { CatalogueService } from '../../catalog/catalogue-service.ts';
import { serviceRecipientNames } from '../../catalog/service-names.ts';
import { ServiceDirectory } from '../../catalog/service-repository.ts';
import { serviceRoutes } from '../../catalog/service-routes.ts';
import { currentSigningKey } from '../../keys/hub-keys.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { Logger } from '../../log.ts';
import type { Notifier } from '../../notify/index.ts';
import { type AuthorizationServer, createAuthorizationServer } from '../../oauth/authorization-server.ts';
import { dataEndpointRoutes } from '../../oauth/data-endpoint.ts';
import { purgeExpiredOAuthRecords } from '../../oauth/kysely-adapter.ts';
import { oauthSurface } from '../../oauth/oauth-surface.ts';
import type { RetrievalService } from '../../retrieval/retrieval-service.ts';
import type { Surface } from '../../server.ts';
import type { Db } from '../../store/database.ts';
import type { RecipientNames } from '../../web/history-names.ts';
import { servicePages } from '../../web/service-pages.ts';
import { ServiceKeyFetcher } from './service-keys.ts';
import { ServiceTransfers } from './service-transfers.ts';
import { purgeExpiredTransfers } from './transfers.ts';
import { createWebhookSender } from './webhook.ts';

/** A delivery waits at most this long for the service's one data call (the privacy promise: 8 h). */
export const SERVICE_DELIVERY_TTL_HOURS = 8;

export interface ServicesModeDeps {
  db: Db;
  secret: Buffer;
  publicUrl: string;
  catalogue: CatalogueService;
  ledger: Pick<Ledger, 'commit'>;
  retrievals: RetrievalService;
  notifier: Notifier;
  logger: Logger;
  /** Pause before a webhook's second attempt (tests shorten it). */
  webhookRetryMs?: number;
}

export interface ServicesMode {
  directory: ServiceDirectory;
  transfers: ServiceTransfers;
  oauth: AuthorizationServer;
  surface: Surface;
  portalPage: (app: FastifyInstance) => void;
  apiRoutes: Array<(app: FastifyInstance) => void>;
  recipientNames: RecipientNames;
  sweepers: Array<() => Promise<unknown>>;
}

export async function createServicesMode(deps: ServicesModeDeps): Promise<ServicesMode> {
  const { db, secret, catalogue, logger } = deps;
  const directory = new ServiceDirectory(db);
  await directory.warm();
  const ttlSeconds = SERVICE_DELIVERY_TTL_HOURS * 3600;
  const oauth = await createAuthorizationServer({ db, secret, publicUrl: deps.publicUrl, directory, catalogue, logger, accessTokenTtlSeconds: ttlSeconds });
  const webhooks = createWebhookSender({
    issuer: oauth.issuer,
    key: () => currentSigningKey(db, secret, 'service-authorization'),
    logger,
    ...(deps.webhookRetryMs !== undefined ? { retryDelayMs: deps.webhookRetryMs } : {}),
  });
  const transfers = new ServiceTransfers({
    db,
    ledger: deps.ledger,
    retrievals: deps.retrievals,
    directory,
    catalogue,
    keys: new ServiceKeyFetcher(),
    webhooks,
    notifier: deps.notifier,
    issuer: oauth.issuer,
    publicUrl: deps.publicUrl,
    logger,
    ttlMs: ttlSeconds * 1000,
  });
  return {
    directory,
    transfers,
    oauth,
    surface: oauthSurface(oauth.provider),
    portalPage: (app) => servicePages(app, { provider: oauth.provider, directory, catalogue, transfers }),
    apiRoutes: [
      (app) => serviceRoutes(app, { directory, catalogue }),
      (app) => dataEndpointRoutes(app, { db, secret, provider: oauth.provider, dataEndpoint: oauth.dataEndpoint, transfers }),
    ],
    recipientNames: serviceRecipientNames(directory),
    sweepers: [() => purgeExpiredOAuthRecords(db), () => purgeExpiredTransfers(db)],
  };
}
