// The citizen portal: catalogue pages for everyone; login and mode 1 when identity methods exist.
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { CatalogueCache } from '../catalog/cache.ts';
import type { DownloadJobs } from '../delivery/download/download-jobs.ts';
import type { IdentityMethods } from '../identity/identity-config.ts';
import type { ConsentReceiptInput } from '../ledger/consent-receipt.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Db } from '../store/database.ts';
import type { Notifier } from '../notify/index.ts';
import { portalAssets } from './assets.ts';
import { cataloguePages } from './catalogue-pages.ts';
import { downloadPages } from './download-pages.ts';
import { historyPages } from './history-pages.ts';
import { passkeyPages } from './passkey-pages.ts';
import { loginPages } from './login-pages.ts';
import type { PortalSessions } from './portal-session.ts';

export interface PortalParts {
  db: Db;
  sessions: PortalSessions;
  methods: IdentityMethods;
  catalogue: CatalogueCache;
  jobs: DownloadJobs;
  subjectKeyOf: (nationalId: string) => string;
  publicUrl: string;
  downloadTtlHours: number;
  ledger: Ledger;
  signReceipt: (input: ConsentReceiptInput) => Promise<{ receiptId: string; jws: string }>;
  notifier: Notifier;
  clientPseudonym: (ip: string) => string;
}

export async function portalRoutes(app: FastifyInstance, parts: PortalParts): Promise<void> {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  portalAssets(app, { signerUrl: parts.methods.x509?.signerUrl });
  cataloguePages(app, parts.db);
  loginPages(app, parts);
  downloadPages(app, { ...parts, ttlHours: parts.downloadTtlHours });
  historyPages(app, parts);
  if (parts.methods.passkey) passkeyPages(app, { ...parts, passkey: parts.methods.passkey });
}
