// Wires the hub together: database, migrations, registry, keys, broker and HTTP server.
import { createHmac, hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import { signRequestToken, type KeyResolver } from '@openmydata/protocol';
import { Broker } from './broker/broker.ts';
import { CatalogueCache } from './catalog/cache.ts';
import { loadRegistryFile } from './catalog/registry.ts';
import { type Agency, seedRegistry } from './catalog/repository.ts';
import type { Config } from './config.ts';
import { DownloadJobs } from './delivery/download/download-jobs.ts';
import { purgeStaleAttempts, takeAttempt } from './identity/session/rate-limit.ts';
import { purgeExpiredDownloads } from './delivery/download/downloads.ts';
import { type IdentityMethods, identityMethodsFromEnv } from './identity/identity-config.ts';
import { createPasskeyMethod, type PasskeyMethod, passkeyOptionsFromEnv } from './identity/passkey/index.ts';
import { SessionStore } from './identity/session/session-store.ts';
import { currentSigningKey } from './keys/hub-keys.ts';
import { resolveSecret } from './keys/secret.ts';
import { type ConsentReceiptInput, signConsentReceipt } from './ledger/consent-receipt.ts';
import { Ledger } from './ledger/ledger.ts';
import { createLogger, type Logger } from './log.ts';
import { type Notifier, notifierFromEnv } from './notify/index.ts';
import { buildServer } from './server.ts';
import { type Db, type Engine, openDatabase } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';

/** What every hub process (server or CLI) shares: the database, the catalogue and the broker. */
export interface HubCore {
  config: Config;
  db: Db;
  engine: Engine;
  logger: Logger;
  broker: Broker;
  catalogue: CatalogueCache;
  ledger: Ledger;
  passkeys: PasskeyMethod;
  /** Keyed, one-way pseudonym of a client address (rate limits store no reversible IPs). */
  clientPseudonym(ip: string): string;
  /** Signs a consent receipt with the hub's consent-receipt key. */
  signReceipt(input: ConsentReceiptInput): Promise<{ receiptId: string; jws: string }>;
}

export interface Hub extends HubCore {
  app: FastifyInstance;
  /** Listens on config.host:config.port; resolves to the URL actually bound. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function openHubCore(config: Config, logger: Logger): Promise<HubCore> {
  const secret = resolveSecret(config.secret, config.dataDir);
  const { db, engine } = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied, engine }, 'database migrated');
    if (config.registryFile) {
      await seedRegistry(db, await loadRegistryFile(config.registryFile));
      logger.info({ registry: config.registryFile }, 'catalogue loaded from registry');
    }
    const requestKey = await currentSigningKey(db, secret, 'provider-request');
    const catalogue = new CatalogueCache(db);
    const broker = new Broker(
      {
        resolve: (id) => catalogue.resolve(id),
        signRequest: (input) => signRequestToken({ issuer: config.publicUrl, ...input }, requestKey),
        agencyKeys: agencyKeyCache(),
      },
      config.broker,
    );
    const ledger = new Ledger({ db, engine, secret, logger });
    const signReceipt = async (input: ConsentReceiptInput) =>
      signConsentReceipt(input, await currentSigningKey(db, secret, 'consent-receipt'), config.publicUrl);
    const passkeys = createPasskeyMethod({ db, secret, ...passkeyOptionsFromEnv(process.env, config.publicUrl) });
    const pseudonymKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'openmydata client pseudonym', 32));
    const clientPseudonym = (ip: string) => createHmac('sha256', pseudonymKey).update(ip).digest('hex').slice(0, 32);
    return { config, db, engine, logger, broker, catalogue, ledger, signReceipt, passkeys, clientPseudonym };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** One remote JWKS per agency, refetched by jose when an unknown kid appears. */
function agencyKeyCache(): (agency: Agency) => KeyResolver {
  const byAgency = new Map<string, { url: string; keys: KeyResolver }>();
  return (agency) => {
    let entry = byAgency.get(agency.id);
    if (!entry || entry.url !== agency.jwksUrl) {
      const keys = createRemoteJWKSet(new URL(agency.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
      entry = { url: agency.jwksUrl, keys };
      byAgency.set(agency.id, entry);
    }
    return entry.keys;
  };
}

export interface HubOptions {
  logger?: Logger;
  /** Identity methods; by default read from the environment (X509_*, SIGNER_URL, OIDC_*). */
  identity?: IdentityMethods;
  /** Mail; by default from SMTP_URL and MAIL_FROM (no SMTP_URL: no mail). */
  notifier?: Notifier;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const identity = options.identity ?? identityMethodsFromEnv(process.env, config.publicUrl);
  const notifier = options.notifier ?? notifierFromEnv(process.env, { logger });
  const core = await openHubCore(config, logger);
  const ttlHours = config.downloadTtlHours;
  const jobs = new DownloadJobs({
    db: core.db,
    broker: core.broker,
    catalogue: core.catalogue,
    ledger: core.ledger,
    logger,
    ttlMs: ttlHours * 3600_000,
    previewMs: 30 * 60_000,
  });
  const sessionStore = new SessionStore(core.db);
  // Packages are purged at expiry even if nobody asks for them, and dead sessions and old
  // attempt counters with them.
  let sweeping: Promise<void> | undefined; // awaited on close, so no sweep meets a closed database
  const housekeeping = setInterval(() => {
    sweeping ??= Promise.all([purgeExpiredDownloads(core.db), sessionStore.purgeExpired(), purgeStaleAttempts(core.db)])
      .then(
        () => undefined,
        (error: unknown) => logger.warn({ err: error }, 'housekeeping failed'),
      )
      .finally(() => {
        sweeping = undefined;
      });
  }, 60_000);
  housekeeping.unref();
  const app = await buildServer({
    db: core.db,
    logger,
    ledger: core.ledger,
    portal: {
      db: core.db,
      sessions: {
        store: sessionStore,
        secure: config.publicUrl.startsWith('https:'),
        mayOpen: (address) => takeAttempt(core.db, `session:${core.clientPseudonym(address)}`, { max: config.newSessionsPerAddress, windowMs: 10 * 60_000 }),
      },
      methods: { ...identity, passkey: core.passkeys },
      catalogue: core.catalogue,
      jobs,
      subjectKeyOf: core.ledger.subjectKey,
      publicUrl: config.publicUrl,
      downloadTtlHours: ttlHours,
      ledger: core.ledger,
      signReceipt: core.signReceipt,
      notifier,
      clientPseudonym: core.clientPseudonym,
    },
    trustProxy: config.trustProxy,
  });
  core.ledger.startTreeHeadTimer();
  let closed = false;
  return {
    ...core,
    app,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(housekeeping);
      await Promise.all([core.ledger.stopTreeHeadTimer(), sweeping]);
      await app.close();
      await core.db.destroy();
    },
  };
}
