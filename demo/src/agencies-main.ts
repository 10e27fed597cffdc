// The demo agencies as one process (each agency still its own HTTP server on its own port).
// Environment: HUB_PORT, HUB_PUBLIC_URL, DATA_DIR, DEMO_MAINTENANCE_NOW=1 to open the land
// agency's maintenance window at once.
import { join } from 'node:path';
import { startDemoAgencies } from './agencies.ts';
import { ALL_DAY } from './catalogue.ts';

const hubPort = Number(process.env.HUB_PORT ?? 3000);
const hubUrl = (process.env.HUB_PUBLIC_URL ?? `http://localhost:${hubPort}`).replace(/\/$/, '');
const maintenanceNow = process.env.DEMO_MAINTENANCE_NOW === '1';

const running = await startDemoAgencies({
  hub: { issuer: hubUrl, jwksUrl: `${hubUrl}/.well-known/jwks.json` },
  portOf: (agency) => hubPort + agency.portOffset,
  keyDir: join(process.env.DATA_DIR ?? 'var', 'agency-keys'),
  ...(maintenanceNow ? { maintenance: (agency) => (agency.id === 'land' ? ALL_DAY : agency.maintenance) } : {}),
});
process.stdout.write(`${JSON.stringify({ ready: running.agencies })}\n`);

const stop = () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
