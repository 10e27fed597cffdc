// Wires the hub together (the composition root): database, migrations, registry, keys, the
// repositories and services, and the HTTP server. Routes get services; only this file and the
// services themselves hold the database.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import { type KeyResolver, signRequestToken } from '@openmydata/protocol';
import { Broker } from './broker/broker.ts';
import { CatalogueCache } from './catalog/cache.ts';
import { CatalogueService } from './catalog/catalogue-service.ts';
import { loadRegistryFile } from './catalog/registry.ts';
import { type CounterMode, createCounterMode } from './counter/counter-mode.ts';
import { type Agency, seedRegistry } from './catalog/repository.ts';
import type { Config } from './config.ts';
import { DownloadService } from './delivery/download/download-service.ts';
import { purgeExpiredDownloads } from './delivery/download/downloads.ts';
import { createServicesMode, type ServicesMode } from './delivery/service/services-mode.ts';
import { type IdentityMethods, identityMethodsFromEnv } from './identity/identity-config.ts';
import { LoginService } from './identity/login-service.ts';
import { createPasskeyMethod, passkeyOptionsFromEnv } from './identity/passkey/index.ts';
import { SessionStore } from './identity/session/session-store.ts';
import { currentSigningKey, publishedJwks } from './keys/hub-keys.ts';
import { resolveSecret } from './keys/secret.ts';
import { clientPseudonymer, subjectKeyer } from './keys/subject-key.ts';
import { type ConsentReceiptInput, signConsentReceipt } from './ledger/consent-receipt.ts';
import { Ledger } from './ledger/ledger.ts';
import { createLogger, type Logger } from './log.ts';
import { type Notifier, notifierFromEnv } from './notify/index.ts';
import { ProgressFeed } from './retrieval/progress-feed.ts';
import { RetrievalService } from './retrieval/retrieval-service.ts';
import { buildServer, type Surface } from './server.ts';
import { type Db, type Engine, openDatabase, pingDatabase } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';
import { combineRecipientNames, type RecipientNames } from './web/history-names.ts';

/** What every hub process (server or command-line tool) shares: the database and the services on it. */
export interface HubCore {
  config: Config;
  db: Db;
  engine: Engine;
  logger: Logger;
  /** This process, as the owner of the retrievals it runs. */
  instanceId: string;
  broker: Broker;
  catalogue: CatalogueService;
  ledger: Ledger;
  retrievals: RetrievalService;
  /** The hub secret, for what the server side derives from it (passkeys). */
  secret: Buffer;
  /** The subject key of a national ID (HMAC under the hub secret); throws SubjectIdError for an invalid ID. */
  subjectKey(nationalId: string): string;
  /** Keyed, one-way pseudonym of a client address (rate limits store no reversible IPs). */
  clientPseudonym(ip: string): string;
  /** Stops the core's timers and closes the database (after close() of a Hub, or on its own in a CLI). */
  closeCore(graceMs?: number): Promise<void>;
}

export interface Hub extends HubCore {
  app: FastifyInstance;
  downloads: DownloadService;
  /** Mode 3: the service registry, the authorization server and transfers to services. */
  services: ServicesMode;
  /** Mode 2: counters, their console and the counter delivery's rules. */
  counter: CounterMode;
  /** Listens on config.host:config.port; resolves to the URL actually bound. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface CoreOptions {
  /** Retrieval timing, for tests of crashes and shutdowns. */
  retrieval?: { heartbeatMs?: number; staleAfterMs?: number };
  now?: () => Date;
}

export async function openHubCore(config: Config, logger: Logger, options: CoreOptions = {}): Promise<HubCore> {
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
    const cache = new CatalogueCache(db);
    const catalogue = new CatalogueService(cache);
    const broker = new Broker(
      {
        resolve: (id) => cache.resolve(id),
        signRequest: (input) => signRequestToken({ issuer: config.publicUrl, ...input }, requestKey),
        agencyKeys: agencyKeyCache(),
      },
      config.broker,
    );
    const ledger = new Ledger({ db, engine, secret, logger });
    const signReceipt = async (input: ConsentReceiptInput) =>
      signConsentReceipt(input, await currentSigningKey(db, secret, 'consent-receipt'), config.publicUrl);
    const subjectKey = subjectKeyer(secret);
    const instanceId = randomUUID();
    const feed = new ProgressFeed(db);
    const retrievals = new RetrievalService({
      db,
      ledger,
      broker,
      subjectKey,
      signReceipt,
      feed,
      logger,
      instanceId,
      ...(options.now ? { now: options.now } : {}),
      ...options.retrieval,
    });
    return {
      config,
      db,
      engine,
      logger,
      instanceId,
      broker,
      catalogue,
      ledger,
      retrievals,
      secret,
      subjectKey,
      clientPseudonym: clientPseudonymer(secret),
      async closeCore(graceMs = config.shutdownGraceMs) {
        await retrievals.close(graceMs);
        await Promise.all([feed.close(), ledger.stopTreeHeadTimer(), ledger.flush()]);
        await db.destroy();
      },
    };
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

export interface HubOptions extends CoreOptions {
  logger?: Logger;
  /** Identity methods; by default read from the environment (X509_*, SIGNER_URL, OIDC_*). */
  identity?: IdentityMethods;
  /** Mail; by default from SMTP_URL and MAIL_FROM (no SMTP_URL: no mail). */
  notifier?: Notifier;
  /** Further surfaces (counter console, authorization server), each its own plugin. */
  surfaces?: readonly Surface[];
  /** The counters registry the database is made to match; by default COUNTER_REGISTRY_FILE. */
  counterRegistryFile?: string;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const identity = options.identity ?? identityMethodsFromEnv(process.env, config.publicUrl);
  const notifier = options.notifier ?? notifierFromEnv(process.env, { logger });
  const core = await openHubCore(config, logger, options);
  const { db } = core;
  const relyingParty = passkeyOptionsFromEnv(process.env, config.publicUrl);
  const passkeys = createPasskeyMethod({ db, secret: core.secret, ...relyingParty });
  const ttlMs = config.downloadTtlHours * 3600_000;
  const sessionStore = new SessionStore(db);
  const login = new LoginService({
    db,
    ledger: core.ledger,
    subjectKey: core.subjectKey,
    clientPseudonym: core.clientPseudonym,
    newSessionsPerAddress: config.newSessionsPerAddress,
  });
  const downloads = new DownloadService({
    db,
    ledger: core.ledger,
    retrievals: core.retrievals,
    catalogue: core.catalogue,
    notifier,
    publicUrl: config.publicUrl,
    logger,
  });
  const sessions = { store: sessionStore, secure: config.publicUrl.startsWith('https:'), mayOpen: (address: string) => login.mayOpenSession(address) };

  // Where the other modes plug in: their surfaces (own plugins), their citizen pages in the portal,
  // their public API routes, their names for the history page, and what housekeeping purges for them.
  const surfaces: Surface[] = [...(options.surfaces ?? [])];
  const portalPages: Array<(app: FastifyInstance) => void> = [];
  const apiRoutes: Array<(app: FastifyInstance) => void> = [];
  const recipientNames: RecipientNames[] = [];
  const sweepers: Array<() => Promise<unknown>> = [];

  // mode 3: services
  const services = await createServicesMode({ ...core, publicUrl: config.publicUrl, notifier });
  surfaces.push(services.surface);
  portalPages.push(services.portalPage);
  apiRoutes.push(...services.apiRoutes);
  recipientNames.push(services.recipientNames);
  sweepers.push(...services.sweepers);
  const counter = await createCounterMode({
    core,
    notifier,
    agencyKeys: agencyKeyCache(),
    portalSessions: sessions,
    relyingParty,
    registryFile: options.counterRegistryFile ?? (process.env.COUNTER_REGISTRY_FILE || undefined),
    ...(options.now ? { now: options.now } : {}),
  });
  surfaces.push(counter.surface);
  portalPages.push(counter.portalPages);
  apiRoutes.push(counter.apiRoutes);
  recipientNames.push(counter.recipientNames);
  sweepers.push(() => counter.sweep());

  // Expired downloads, sessions and attempt counters are purged even if nobody asks, and retrievals
  // of a process that died are failed so the person can retry.
  let sweeping: Promise<void> | undefined; // awaited on close, so no sweep meets a closed database
  const sweep = () => {
    sweeping ??= Promise.all([
      purgeExpiredDownloads(db),
      sessionStore.purgeExpired(),
      login.purgeStaleAttempts(),
      core.retrievals.sweep(),
      ...sweepers.map((s) => s()),
    ])
      .then(
        () => undefined,
        (error: unknown) => logger.warn({ err: error }, 'housekeeping failed'),
      )
      .finally(() => {
        sweeping = undefined;
      });
  };
  const housekeeping = setInterval(sweep, 60_000);
  housekeeping.unref();

  const app = await buildServer({
    logger,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    limits: config.http,
    connectSources: identity.x509 ? [new URL(identity.x509.signerUrl).origin] : [],
    health: {
      async checks() {
        const database = await pingDatabase(db).then(
          () => 'ok' as const,
          () => 'unavailable' as const,
        );
        const keys =
          database === 'ok' &&
          (await publishedJwks(db).then(
            (j) => j.keys.length > 0,
            () => false,
          ))
            ? ('ok' as const)
            : ('missing' as const);
        return { database, keys };
      },
      jwks: async () => (await publishedJwks(db)) as { keys: Array<Record<string, unknown>> },
    },
    api: { catalogue: core.catalogue, ledger: core.ledger, sessions: sessionStore, subjectKey: core.subjectKey, extra: apiRoutes },
    portal: {
      sessions,
      methods: { ...identity, passkey: passkeys },
      catalogue: core.catalogue,
      login,
      retrievals: core.retrievals,
      downloads,
      downloadDelivery: { db, ttlMs, previewMs: 30 * 60_000 },
      ledger: core.ledger,
      recipients: combineRecipientNames(recipientNames),
      publicUrl: config.publicUrl,
      downloadTtlHours: config.downloadTtlHours,
      pages: portalPages,
    },
    surfaces,
  });
  core.ledger.startTreeHeadTimer();
  sweep();
  let closed = false;
  return {
    ...core,
    app,
    downloads,
    services,
    counter,
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
      // Retrievals under way get the grace period first; new consents are refused meanwhile.
      await core.retrievals.close(config.shutdownGraceMs);
      await sweeping;
      await app.close();
      await core.closeCore(0);
    },
  };
}
