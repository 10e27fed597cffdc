// The demo card signer as its own process, started by the launcher. It creates the demo CA in memory, writes
// the trust material to $DATA_DIR/trust/ (CA certificates and CRLs only), and serves the card slots.
// Environment: HUB_PORT (default 3000), HUB_PUBLIC_URL (the hub origin; default http://localhost:$HUB_PORT),
// SIGNER_PORT (default HUB_PORT + 9), DATA_DIR (default var).
import { join } from 'node:path';
import { createDemoCa } from '../ca/index.ts';
import { DEMO_PERSONAS } from '../population/citizens.ts';
import { startSigner } from './server.ts';
import { writeIssuingCrl, writeTrustFiles } from './trust-files.ts';
import { envPort } from '../process-env.ts';

const DAY = 24 * 3600_000;

const hubPort = envPort('HUB_PORT', 3000);
const signerPort = envPort('SIGNER_PORT', hubPort + 9);
const hubOrigin = new URL(process.env.HUB_PUBLIC_URL ?? `http://localhost:${hubPort}`).origin;
const trustDir = join(process.env.DATA_DIR ?? 'var', 'trust');

const ca = await createDemoCa();
const files = await writeTrustFiles(trustDir, ca);
// The demo's reader starts with the first demo citizen's card in it; the signer's page changes it.
const signer = await startSigner({ port: signerPort, hubOrigin, ca, inserted: DEMO_PERSONAS[0]?.nationalId ?? null });

// The CRL lasts seven days; re-issue it daily so a long-running demo never fails closed on a stale CRL.
const refresh = setInterval(() => {
  ca.reissueCrl()
    .then(() => writeIssuingCrl(trustDir, ca))
    .catch((error: unknown) => process.stderr.write(`signer: CRL refresh failed: ${(error as Error).message}\n`));
}, DAY);
refresh.unref();

// Only non-personal facts on stdout: the launcher keeps it in a log file under DATA_DIR.
process.stdout.write(`${JSON.stringify({ ready: { signer: signer.url, cards: ca.cards.size, trust: files } })}\n`);

const stop = () => {
  clearInterval(refresh);
  signer.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
