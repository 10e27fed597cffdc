// npm run openapi: writes the hub API's OpenAPI 3.1 document, generated from the routes' schemas,
// to docs/hub-api.openapi.json (a test checks the committed copy is current).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { createHub } from '../hub.ts';
import { createLogger } from '../log.ts';
import { createNoopNotifier } from '../notify/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'omd-openapi-'));
const hub = await createHub(loadConfig({ HUB_PORT: '0', DATA_DIR: dataDir, NODE_ENV: 'development' }), {
  logger: createLogger({ level: 'silent' }),
  identity: { x509: undefined, oidc: undefined },
  notifier: createNoopNotifier(),
});
try {
  await hub.app.ready();
  const out = join(import.meta.dirname, '../../../../docs/hub-api.openapi.json');
  writeFileSync(out, `${JSON.stringify(hub.app.swagger(), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await hub.close();
  rmSync(dataDir, { recursive: true, force: true });
}
