// Runs one demo service as its own process (npm start launches one per service): its keys kept
// under DATA_DIR/service-keys (made on first start, so a restart keeps the keys the hub fetched),
// listening on HUB_PORT + its offset. Environment: HUB_PORT, HUB_PUBLIC_URL, DATA_DIR.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateServiceKeys, type ServiceKeys } from '@openmydata/service-sdk';
import { env, envPort } from '../process-env.ts';
import type { DemoService } from './definitions.ts';
import { startDemoService } from './service-server.ts';

async function keysFor(service: DemoService, dataDir: string): Promise<ServiceKeys> {
  const dir = join(dataDir, 'service-keys');
  const file = join(dir, `${service.clientId}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ServiceKeys;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = await generateServiceKeys();
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

export async function runDemoService(service: DemoService): Promise<void> {
  const hubPort = envPort('HUB_PORT', 3000);
  const hubUrl = (env('HUB_PUBLIC_URL') ?? `http://localhost:${hubPort}`).replace(/\/$/, '');
  const port = hubPort + service.portOffset;
  const running = await startDemoService({
    service,
    keys: await keysFor(service, env('DATA_DIR') ?? 'var'),
    hubUrl,
    port,
    publicUrl: `http://127.0.0.1:${port}`,
  });
  process.stdout.write(`${JSON.stringify({ ready: service.id, url: running.url })}\n`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
