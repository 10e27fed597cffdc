// npm start: the whole demo on SQLite. Starts the hub and the demo agencies as their own processes,
// waits until they answer, and prints where everything is. Ctrl-C stops it all.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_AGENCIES, registryFor } from './catalogue.ts';
import { REVOKED_DEMO_CITIZEN } from './ca/index.ts';
import { DEMO_PERSONAS } from './population/citizens.ts';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({ options: { 'maintenance-now': { type: 'boolean', default: false } }, strict: true });
const hubPort = Number(process.env.HUB_PORT ?? 3000);
if (!Number.isInteger(hubPort) || hubPort < 1 || hubPort > 65535 - 20) {
  process.stderr.write(`HUB_PORT must be a port number below ${65535 - 20}; got ${process.env.HUB_PORT}\n`);
  process.exit(78);
}
const hubUrl = `http://localhost:${hubPort}`;
const dataDir = resolve(root, process.env.DATA_DIR ?? 'var');
const logDir = join(dataDir, 'log');
mkdirSync(logDir, { recursive: true, mode: 0o700 });
const registryFile = join(dataDir, 'registry.json');
writeFileSync(registryFile, `${JSON.stringify(registryFor(hubPort, '127.0.0.1', args['maintenance-now']), null, 2)}\n`);

const idpUrl = `http://127.0.0.1:${hubPort + 8}`;
const signerUrl = `http://127.0.0.1:${hubPort + 9}`;
const trust = (name: string) => join(dataDir, 'trust', name);
const env = {
  ...process.env,
  HUB_PORT: String(hubPort),
  DATA_DIR: dataDir,
  REGISTRY_FILE: registryFile,
  // Identity: the demo CA's trust anchor and CRLs (written by the signer), the local card signer,
  // and the mock national mobile ID.
  X509_TRUST_ANCHORS: trust('demo-root-ca.pem'),
  X509_CRLS: `${trust('demo-ca-g1.crl')},${trust('demo-root-ca.crl')}`,
  SIGNER_URL: signerUrl,
  OIDC_ISSUER: idpUrl,
  OIDC_CLIENT_ID: 'openmydata-hub',
  OIDC_CLIENT_SECRET: process.env.IDP_CLIENT_SECRET ?? 'openmydata-demo-idp-client-secret',
  // Notices go to the demo's own SMTP sink; its outbox page shows them.
  SMTP_URL: `smtp://127.0.0.1:${hubPort + 20}`,
  ...(args['maintenance-now'] ? { DEMO_MAINTENANCE_NOW: '1' } : {}),
};
const children: ChildProcess[] = [];
let stopping = false;

function launch(name: string, script: string): ChildProcess {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a', mode: 0o600 });
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    process.stderr.write(`[${name}] ${chunk}`);
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`\n${name} stopped unexpectedly (${signal ?? `exit ${code}`}); see ${join(logDir, `${name}.log`)}\n`);
      shutdown(1);
    }
  });
  children.push(child);
  return child;
}

function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => process.exit(code), 8000);
  force.unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

async function waitFor(url: string, what: string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.stderr.write(`${what} did not become ready at ${url} within ${seconds} s\n`);
  shutdown(1);
}

process.stdout.write('Starting OpenMyData demo (SQLite)…\n');
launch('signer', 'demo/src/signer/main.ts');
launch('mail', 'demo/src/mail/main.ts');
launch('idp', 'demo/src/idp/main.ts');
launch('agencies', 'demo/src/agencies-main.ts');
// The hub reads the demo CA's trust anchor at start, so it waits for the signer to write it.
await waitFor(`${signerUrl}/certificates`, 'The card signer');
await waitFor(`http://127.0.0.1:${hubPort + 10}/healthz`, 'The demo mail outbox');
launch('hub', 'packages/hub/src/main.ts');
await waitFor(`${hubUrl}/readyz`, 'The hub');
await waitFor(`${idpUrl}/.well-known/openid-configuration`, 'The mock identity provider');
await Promise.all(DEMO_AGENCIES.map((a) => waitFor(`http://127.0.0.1:${hubPort + a.portOffset}/healthz`, a.name.en)));
if (stopping) process.exit(1);

const pad = (s: string, n: number) => s.padEnd(n);
const lines = [
  '',
  'OpenMyData demo is running.',
  '',
  `  Hub                    ${hubUrl}`,
  `  Catalogue (API)        ${hubUrl}/api/v1/datasets   ·   ${hubUrl}/api/v1/agencies`,
  `  Health                 ${hubUrl}/healthz   ·   ${hubUrl}/readyz`,
  `  Hub signing keys       ${hubUrl}/.well-known/jwks.json`,
  '',
  `  Citizen portal         ${hubUrl}/   (download your data: ${hubUrl}/catalogue)`,
  `  Card signer (X.509)    ${signerUrl}   the demo's card-reader helper, level 1`,
  `  Mock mobile ID (OIDC)  ${idpUrl}   level 2; the page shows the one-time code`,
  `  Mail outbox (SMTP)     http://127.0.0.1:${hubPort + 10}/   notices sent after each download`,
  '',
  '  Demo agencies (Provider API v1):',
  ...DEMO_AGENCIES.map(
    (a) => `    ${pad(a.id, 15)} http://127.0.0.1:${hubPort + a.portOffset}   ${a.name['zh-TW']} · ${a.datasets.map((d) => d.id).join(', ')}`,
  ),
  '',
  '  Demo citizens (synthetic):',
  ...DEMO_PERSONAS.map((p) => `    ${p.nationalId}  ${p.description}`),
  '',
  '  Demo logins (a first use needs two methods; id-card-image needs the certificate, level 1):',
  `    Citizen certificate:  on the portal choose 自然人憑證, then the card ending in the ID's last 3 digits (e.g. A******789)`,
  `    Mobile ID:            on the portal choose 行動身分識別, enter the national ID and the 6-digit code the page shows`,
  `    Revoked certificate:  ${REVOKED_DEMO_CITIZEN} (its card is listed but refused: for trying the CRL check)`,
  '',
  '  Try:  npm run fetch -- --operator ops.demo --reason "trying the demo" --subject A123456789 --datasets household-personal,income,vehicles',
  '        npm run fetch -- --operator ops.demo --reason "trying the demo" --subject A123456789 --all',
  '',
  `  Logs: ${logDir}   ·   Stop: Ctrl-C`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
