// npm start: the whole demo on SQLite. Starts the hub and the demo agencies as their own processes,
// waits until they answer, and prints where everything is. Once the demo runs, a process that dies
// is started again after a back-off (1 s, doubling to 30 s; back to 1 s after a minute up), so an
// agency can fail and come back while the hub reports it unavailable. Ctrl-C stops it all.
// Environment: HUB_PORT (3000; the demo takes the ports after it), DATA_DIR (var),
// OMD_EXTRA_REGISTRY_DIR (every *.json in it is added to the demo's registry: outside agencies,
// docs/joining-as-an-agency.md), DEMO_RESTART_DELAY_SECONDS (first back-off, 1).
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRegistryFile, mergeRegistries, parseRegistry, type Registry, RegistryError } from '@openmydata/hub';
import { blockedPortProblem } from './bad-ports.ts';
import { DEMO_AGENCIES, registryFor } from './catalogue.ts';
import { DEMO_COUNTERS, DEMO_STAFF, DEMO_STAFF_PASSWORD } from './counters.ts';
import { REVOKED_DEMO_CITIZEN } from './ca/index.ts';
import { DEMO_SMS_TOKEN } from './sms/sms-sink.ts';
import { DEMO_PERSONAS } from './population/citizens.ts';
import { DEMO_SERVICES, demoServiceRegistry } from './services/index.ts';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({ options: { 'maintenance-now': { type: 'boolean', default: false } }, strict: true });

function stopAtOnce(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(78);
}

// The ports the demo serves HTTP on, as offsets from HUB_PORT (the mail sink's SMTP port, +20, is
// no browser's business).
const HTTP_PORTS = [
  { name: 'the hub', offset: 0 },
  ...DEMO_SERVICES.map((s) => ({ name: `the ${s.id} demo service`, offset: s.portOffset })),
  { name: 'the mock identity provider', offset: 8 },
  { name: 'the card signer', offset: 9 },
  { name: 'the mail outbox', offset: 10 },
  { name: 'the SMS gateway', offset: 18 },
  ...DEMO_AGENCIES.map((a) => ({ name: `the ${a.id} agency`, offset: a.portOffset })),
];
const LAST_OFFSET = 20;

const hubPortText = process.env.HUB_PORT || '3000';
const hubPort = Number(hubPortText);
if (!/^\d+$/.test(hubPortText) || hubPort < 1 || hubPort > 65535 - LAST_OFFSET) {
  stopAtOnce(`HUB_PORT must be a port number from 1 to ${65535 - LAST_OFFSET} (the demo uses the ${LAST_OFFSET} after it); got ${hubPortText}`);
}
const blocked = blockedPortProblem(HTTP_PORTS.map((p) => ({ name: p.name, port: hubPort + p.offset })));
if (blocked) stopAtOnce(`HUB_PORT=${hubPort} cannot be used: ${blocked} Choose another HUB_PORT, e.g. 3000.`);

const restartDelayText = process.env.DEMO_RESTART_DELAY_SECONDS || '1';
const firstRestartDelayMs = Number(restartDelayText) * 1000;
if (!(firstRestartDelayMs >= 100 && firstRestartDelayMs <= 300_000))
  stopAtOnce(`DEMO_RESTART_DELAY_SECONDS must be between 0.1 and 300; got ${restartDelayText}`);
const MAX_RESTART_DELAY_MS = Math.max(30_000, firstRestartDelayMs);
const STABLE_AFTER_MS = 60_000;

const hubUrl = `http://localhost:${hubPort}`;
const dataDir = resolve(root, process.env.DATA_DIR || 'var');
const logDir = join(dataDir, 'log');

/** The demo's registry plus every *.json in OMD_EXTRA_REGISTRY_DIR; any problem stops the launcher before it starts anything. */
async function registry(): Promise<{ registry: Registry; extra: Registry['agencies'] }> {
  const demo = parseRegistry(registryFor(hubPort, '127.0.0.1', args['maintenance-now']), 'the demo registry');
  const dir = process.env.OMD_EXTRA_REGISTRY_DIR;
  if (!dir) return { registry: demo, extra: [] };
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    stopAtOnce(`OMD_EXTRA_REGISTRY_DIR=${dir} is not a directory I can read.`);
  }
  try {
    const parts = [{ source: 'the demo registry', registry: demo }];
    for (const file of files) parts.push({ source: join(dir, file), registry: await loadRegistryFile(join(dir, file)) });
    const extra = parts.slice(1).flatMap((p) => p.registry.agencies);
    return { registry: mergeRegistries(parts), extra };
  } catch (error) {
    if (error instanceof RegistryError) stopAtOnce(`${error.message}\nFix the file in OMD_EXTRA_REGISTRY_DIR (schema: docs/registry.schema.json).`);
    throw error;
  }
}

const { registry: combined, extra } = await registry();
mkdirSync(logDir, { recursive: true, mode: 0o700 });
const registryFile = join(dataDir, 'registry.json');
writeFileSync(registryFile, `${JSON.stringify(combined, null, 2)}\n`);
// Mode 2: the demo's offices and counter services, and (once the hub is up) its counter staff.
const countersFile = join(dataDir, 'counters.json');
writeFileSync(countersFile, `${JSON.stringify(DEMO_COUNTERS, null, 2)}\n`);
const staffFile = join(dataDir, 'demo-staff.json');
writeFileSync(
  staffFile,
  `${JSON.stringify(
    DEMO_STAFF.map((s) => ({ id: s.id, office: s.officeId, role: s.role, password: s.password, totp_secret: s.totpSecret })),
    null,
    2,
  )}\n`,
  { mode: 0o600 },
);

const idpUrl = `http://127.0.0.1:${hubPort + 8}`;
const signerUrl = `http://127.0.0.1:${hubPort + 9}`;
const trust = (name: string) => join(dataDir, 'trust', name);
const env = {
  ...process.env,
  HUB_PORT: String(hubPort),
  DATA_DIR: dataDir,
  REGISTRY_FILE: registryFile,
  COUNTER_REGISTRY_FILE: countersFile,
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
  // Notices to a mobile number go to the demo's SMS gateway (a sink); the counter consent then takes one.
  SMS_GATEWAY_URL: `http://127.0.0.1:${hubPort + 18}/messages`,
  SMS_GATEWAY_TOKEN: process.env.SMS_GATEWAY_TOKEN || DEMO_SMS_TOKEN,
  ...(args['maintenance-now'] ? { DEMO_MAINTENANCE_NOW: '1' } : {}),
};

/** One supervised process: its script, the process now running, and its back-off. */
interface Child {
  name: string;
  script: string;
  process?: ChildProcess;
  startedAt: number;
  nextDelayMs: number;
  restartTimer?: NodeJS.Timeout;
}

const children: Child[] = [];
let stopping = false;
let running = false;
const pidsFile = join(dataDir, 'demo-pids.json');
const launcherLog = createWriteStream(join(logDir, 'launcher.log'), { flags: 'a', mode: 0o600 });

/** To the terminal and var/log/launcher.log. */
function report(message: string): void {
  process.stderr.write(`${message}\n`);
  launcherLog.write(`${new Date().toISOString()} ${message}\n`);
}

// Which process is which, for whoever wants to stop one (the restart test does, with kill -9).
function writePids(): void {
  const pids = Object.fromEntries(children.filter((c) => c.process?.pid !== undefined).map((c) => [c.name, c.process?.pid]));
  writeFileSync(pidsFile, `${JSON.stringify({ launcher: process.pid, children: pids }, null, 2)}\n`, { mode: 0o600 });
}

function launch(name: string, script: string): Child {
  const child: Child = { name, script, startedAt: 0, nextDelayMs: firstRestartDelayMs };
  children.push(child);
  spawnChild(child);
  return child;
}

function spawnChild(child: Child): void {
  const log = createWriteStream(join(logDir, `${child.name}.log`), { flags: 'a', mode: 0o600 });
  const proc = spawn(process.execPath, ['--import', 'tsx', child.script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(log);
  proc.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    process.stderr.write(`[${child.name}] ${chunk}`);
  });
  proc.on('exit', (code, signal) => {
    log.end();
    onExit(child, code, signal);
  });
  child.process = proc;
  child.startedAt = Date.now();
  writePids();
}

function onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
  if (stopping) return;
  const how = signal ?? `exit ${code}`;
  const logFile = join(logDir, `${child.name}.log`);
  // Before the demo runs, or on a configuration error (exit 78), starting again would fail the same way.
  if (!running || code === 78) {
    report(`\n${child.name} stopped unexpectedly (${how}); see ${logFile}`);
    shutdown(1);
    return;
  }
  if (Date.now() - child.startedAt >= STABLE_AFTER_MS) child.nextDelayMs = firstRestartDelayMs;
  const delay = child.nextDelayMs;
  child.nextDelayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  report(`${child.name} stopped unexpectedly (${how}); restarting it in ${delay / 1000} s (see ${logFile})`);
  child.restartTimer = setTimeout(() => {
    child.restartTimer = undefined;
    if (stopping) return;
    spawnChild(child);
    report(`${child.name} restarted (pid ${child.process?.pid})`);
  }, delay);
}

function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.restartTimer) clearTimeout(child.restartTimer);
    child.process?.kill('SIGTERM');
  }
  rmSync(pidsFile, { force: true });
  const force = setTimeout(() => process.exit(code), 8000);
  force.unref();
  const exited = children.map((c) =>
    !c.process || c.process.exitCode !== null || c.process.signalCode !== null ? Promise.resolve() : new Promise((r) => c.process?.once('exit', r)),
  );
  Promise.all(exited).then(() => launcherLog.end(() => process.exit(code)));
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
  report(`${what} did not become ready at ${url} within ${seconds} s`);
  shutdown(1);
}

process.stdout.write('Starting OpenMyData demo (SQLite)…\n');
launch('signer', 'demo/src/signer/main.ts');
launch('mail', 'demo/src/mail/main.ts');
launch('sms', 'demo/src/sms/main.ts');
launch('idp', 'demo/src/idp/main.ts');
launch('agencies', 'demo/src/agencies-main.ts');
// Mode 3: the demo services, each its own process; they need the hub only when a person arrives.
launch('bank', 'demo/src/services/bank-main.ts');
launch('scholarship', 'demo/src/services/scholarship-main.ts');
// The hub reads the demo CA's trust anchor at start, so it waits for the signer to write it.
await waitFor(`${signerUrl}/certificates`, 'The card signer');
await waitFor(`http://127.0.0.1:${hubPort + 10}/healthz`, 'The demo mail outbox');
await waitFor(`http://127.0.0.1:${hubPort + 18}/healthz`, 'The demo SMS gateway');
launch('hub', 'packages/hub/src/main.ts');
await waitFor(`${hubUrl}/readyz`, 'The hub');
await waitFor(`${idpUrl}/.well-known/openid-configuration`, 'The mock identity provider');
await Promise.all(DEMO_AGENCIES.map((a) => waitFor(`http://127.0.0.1:${hubPort + a.portOffset}/healthz`, a.name.en)));

// The demo services are registered with the hub the way an operator registers any service
// (npm run operator -- service add FILE), their keys at their jwks_uri.
const serviceUrl = (offset: number) => `http://127.0.0.1:${hubPort + offset}`;
await Promise.all(DEMO_SERVICES.map((s) => waitFor(`${serviceUrl(s.portOffset)}/healthz`, `The ${s.id} demo service`)));
const servicesFile = join(dataDir, 'services.json');
writeFileSync(
  servicesFile,
  `${JSON.stringify(
    demoServiceRegistry((s) => serviceUrl(s.portOffset)),
    null,
    2,
  )}\n`,
);
if (!stopping) {
  const registered = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'packages/hub/src/cli/operator.ts', 'service', 'add', servicesFile, '--operator', 'demo-launcher'],
    {
      cwd: root,
      env,
      encoding: 'utf8',
    },
  );
  launcherLog.write(registered.stdout + registered.stderr);
  if (registered.status !== 0) {
    report(`Registering the demo services failed:\n${registered.stderr || registered.stdout}`);
    shutdown(1);
  }
}
if (stopping) process.exit(1);
// The demo's counter staff, made the operator's way (public demo credentials, printed below).
const staffImport = await new Promise<{ ok: boolean; output: string }>((resolve) =>
  execFile(
    process.execPath,
    ['--import', 'tsx', 'packages/hub/src/cli/operator.ts', 'counter', 'staff', 'import', staffFile, '--operator', 'demo'],
    { cwd: root, env, timeout: 60_000 },
    (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
  ),
);
if (!staffImport.ok) {
  report(`The demo's counter staff could not be made:\n${staffImport.output}`);
  shutdown(1);
}
if (stopping) process.exit(1);
running = true;

const pad = (s: string, n: number) => s.padEnd(n);
const demoClerk = DEMO_STAFF[0] as (typeof DEMO_STAFF)[number];
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
  `  Mail outbox (SMTP)     http://127.0.0.1:${hubPort + 10}/   notices after each download or transfer, and counter confirmation codes`,
  `  SMS outbox             http://127.0.0.1:${hubPort + 18}/   the same for a mobile number given at a counter consent`,
  '',
  `  Counter services       ${hubUrl}/counters   (mode 2: a barcode instead of paper certificates)`,
  `  Counter console        ${hubUrl}/console   for clerks; the confirmation code reaches the person in the mail outbox`,
  `    Demo clerk:           ${demoClerk.id}   password ${DEMO_STAFF_PASSWORD}   TOTP secret ${demoClerk.totpSecret}`,
  '                          the current 6-digit code: npm run demo-totp (or add the secret to any authenticator app)',
  `    Other offices:        clerk.<office> and supervisor.<office>, same password: ${[...new Set(DEMO_STAFF.map((s) => s.officeId))].join(', ')}`,
  '',
  '  Demo agencies (Provider API v1):',
  ...DEMO_AGENCIES.map(
    (a) => `    ${pad(a.id, 15)} http://127.0.0.1:${hubPort + a.portOffset}   ${a.name['zh-TW']} · ${a.datasets.map((d) => d.id).join(', ')}`,
  ),
  ...(extra.length > 0
    ? [
        '',
        `  Outside agencies (from ${process.env.OMD_EXTRA_REGISTRY_DIR}; not started here):`,
        ...extra.map((a) => `    ${pad(a.id, 15)} ${a.base_url}   ${a.name['zh-TW']} · ${a.datasets.map((d) => d.id).join(', ')}`),
        '    Check one with: npm run operator -- agency check ID',
      ]
    : []),
  '',
  '  Demo citizens (synthetic):',
  ...DEMO_PERSONAS.map((p) => `    ${p.nationalId}  ${p.description}`),
  '',
  '  Demo logins (a first use needs two methods; id-card-image needs the certificate, level 1):',
  `    Citizen certificate:  on the portal choose 自然人憑證, then the card ending in the ID's last 3 digits (e.g. A******789)`,
  `    Mobile ID:            on the portal choose 行動身分識別, enter the national ID and the 6-digit code the page shows`,
  `    Revoked certificate:  ${REVOKED_DEMO_CITIZEN} (its card is listed but refused: for trying the CRL check)`,
  '',
  '  Demo online services (mode 3; each its own server, written with packages/service-sdk):',
  ...DEMO_SERVICES.map((s) => `    ${pad(s.name.zh, 10)} ${serviceUrl(s.portOffset)}/   ${s.provider.zh} · ${s.datasets.map((d) => d.id).join(', ')}`),
  `    Try one: open its page, choose 使用 OpenMyData 提供我的資料, sign in on the hub, read the consent screen and agree`,
  `    (or refuse); the service shows what it received, each agency signature's verdict and its decision.`,
  `    All services: ${hubUrl}/services   ·   API: ${hubUrl}/api/v1/services   ·   OAuth: ${hubUrl}/.well-known/oauth-authorization-server`,
  `    Try 林美華 (B287654326) for the scholarship: her household holds a current low-income certificate.`,
  '',
  '  Try:  npm run fetch -- --operator ops.demo --reason "trying the demo" --subject A123456789 --datasets household-personal,income,vehicles',
  '        npm run fetch -- --operator ops.demo --reason "trying the demo" --subject A123456789 --all',
  '',
  `  Logs: ${logDir}   ·   Process ids: ${pidsFile}   ·   Stop: Ctrl-C`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
