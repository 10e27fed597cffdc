// The citizen portal as one encapsulated plugin: its request context (language, session, page
// frame), form parsing, assets, and the pages of the catalogue, login, mode 1 and the history.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { DownloadDeliveryDeps } from '../delivery/download/download-delivery.ts';
import type { DownloadService } from '../delivery/download/download-service.ts';
import type { IdentityMethods } from '../identity/identity-config.ts';
import type { LoginService } from '../identity/login-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { RetrievalService } from '../retrieval/retrieval-service.ts';
import { portalAssets } from './assets.ts';
import { cataloguePages } from './catalogue-pages.ts';
import { downloadPages } from './download-pages.ts';
import type { RecipientNames } from './history-names.ts';
import { historyPages } from './history-pages.ts';
import { loginPages } from './login-pages.ts';
import { passkeyPages } from './passkey-pages.ts';
import type { PortalSessions } from './portal-session.ts';
import { requestContext } from './request-context.ts';

export interface PortalOptions {
  sessions: PortalSessions;
  methods: IdentityMethods;
  catalogue: CatalogueService;
  login: LoginService;
  retrievals: RetrievalService;
  downloads: DownloadService;
  downloadDelivery: Omit<DownloadDeliveryDeps, 'catalogue'>;
  ledger: Pick<Ledger, 'historyFor'>;
  recipients: RecipientNames;
  publicUrl: string;
  downloadTtlHours: number;
  /** More portal pages (mode 2's and mode 3's citizen side), with the portal's context and decorators. */
  pages?: ReadonlyArray<(app: FastifyInstance) => void>;
}

export const portalPlugin: FastifyPluginAsync<PortalOptions> = async (app, options) => {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(requestContext, { sessions: options.sessions });
  portalAssets(app);
  cataloguePages(app, options.catalogue);
  loginPages(app, { sessions: options.sessions, methods: options.methods, login: options.login, publicUrl: options.publicUrl });
  downloadPages(app, {
    sessions: options.sessions,
    catalogue: options.catalogue,
    retrievals: options.retrievals,
    downloads: options.downloads,
    delivery: options.downloadDelivery,
    ttlHours: options.downloadTtlHours,
  });
  historyPages(app, {
    ledger: options.ledger,
    retrievals: options.retrievals,
    catalogue: options.catalogue,
    recipients: options.recipients,
    passkey: options.methods.passkey,
  });
  if (options.methods.passkey)
    passkeyPages(app, { sessions: options.sessions, passkey: options.methods.passkey, subjectKeyOf: (id) => options.retrievals.subjectKeyOf(id) });
  for (const register of options.pages ?? []) register(app);
};
