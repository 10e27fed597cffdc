// Starts a real hub on an ephemeral port against a fresh test database.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import type { IdentityMethods } from '../../src/identity/identity-config.ts';
import { createNoopNotifier, type Notifier } from '../../src/notify/index.ts';
import { captureLogs } from './log-capture.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestHub {
  hub: Hub;
  url: string;
  database: TestDatabase;
  logs(): string;
  stop(): Promise<void>;
}

export async function startTestHub(
  options: { registry?: unknown; env?: Record<string, string>; identity?: IdentityMethods; notifier?: Notifier; now?: () => Date } = {},
): Promise<TestHub> {
  const database = await createTestDatabase();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HUB_PORT: '0',
    DATA_DIR: database.dataDir,
    LOG_LEVEL: 'debug',
    BROKER_TIMEOUT_SECONDS: '2',
    ...options.env,
  };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  if (options.registry) {
    const file = join(database.dataDir, 'registry.json');
    writeFileSync(file, JSON.stringify(options.registry));
    env.REGISTRY_FILE = file;
  }
  const capture = captureLogs();
  const hub = await createHub(loadConfig(env), {
    logger: capture.logger,
    identity: options.identity ?? { x509: undefined, oidc: undefined },
    notifier: options.notifier ?? createNoopNotifier(),
    ...(options.now ? { now: options.now } : {}),
  });
  const url = await hub.listen();
  return {
    hub,
    url,
    database,
    logs: capture.text,
    async stop() {
      await hub.close();
      await database.cleanup();
    },
  };
}
