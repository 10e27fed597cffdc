// Wires the hub together: database, migrations, registry, keys, broker and HTTP server.
import type { FastifyInstance } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import { signRequestToken, type KeyResolver } from '@openmydata/protocol';
import { Broker } from './broker/broker.ts';
import { CatalogueCache } from './catalog/cache.ts';
import { loadRegistryFile } from './catalog/registry.ts';
import type { Agency } from './catalog/repository.ts';
import { seedRegistry } from './catalog/repository.ts';
import type { Config } from './config.ts';
import { currentSigningKey, type HubSigningKey } from './keys/hub-keys.ts';
import { resolveSecret } from './keys/secret.ts';
import { createLogger, type Logger } from './log.ts';
import { buildServer } from './server.ts';
import { type Db, type Engine, openDatabase } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';

export interface Hub {
  config: Config;
  db: Db;
  engine: Engine;
  logger: Logger;
  broker: Broker;
  app: FastifyInstance;
  /** Listens on config.host:config.port; resolves to the URL actually bound. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface HubOptions {
  logger?: Logger;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const secret = resolveSecret(config.secret, config.dataDir);
  const { db, engine } = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) logger.info({ migrations: applied, engine }, 'database migrated');
    if (config.registryFile) {
      await seedRegistry(db, await loadRegistryFile(config.registryFile));
      logger.info({ registry: config.registryFile }, 'catalogue loaded from registry');
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const requestKey: HubSigningKey = await currentSigningKey(db, secret, 'provider-request');
  const catalogue = new CatalogueCache(db);
  const jwksByAgency = new Map<string, { url: string; keys: KeyResolver }>();
  const agencyKeys = (agency: Agency): KeyResolver => {
    let entry = jwksByAgency.get(agency.id);
    if (!entry || entry.url !== agency.jwksUrl) {
      entry = { url: agency.jwksUrl, keys: createRemoteJWKSet(new URL(agency.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }) };
      jwksByAgency.set(agency.id, entry);
    }
    return entry.keys;
  };
  const broker = new Broker(
    {
      resolve: (id) => catalogue.resolve(id),
      signRequest: (input) => signRequestToken({ issuer: config.publicUrl, ...input }, requestKey),
      agencyKeys,
    },
    config.broker,
  );

  const app = buildServer({ db, logger, keysReady: () => Boolean(requestKey.kid) });
  let closed = false;
  return {
    config,
    db,
    engine,
    logger,
    broker,
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
      await app.close();
      await db.destroy();
    },
  };
}
