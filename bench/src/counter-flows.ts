// npm run bench -- counter: complete counter flows (mode 2) at concurrency 1, 10 and 50, over HTTP
// against a hub in its own process (main.ts); the 3 agencies (50 ms each) and the demo's mail sink
// run in processes of their own, the bench process holds only the clients. A flow: the person signs
// in with a citizen certificate (the demo CA's card signs the hub's nonce), consents to a counter
// service of 3 data sets from 3 agencies, waits for the code; a clerk (signed in with password +
// TOTP beforehand) scans it, the confirmation code arrives by SMTP, the clerk confirms, reads the
// case and closes it. Reports flows/s, p50 and p95 per flow, and errors counted by reason. The steps
// of one flow are one function (counterFlow) so a common flows harness can drive it beside the
// download flows. DATABASE_URL runs the hub on PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Db, migrateToLatest, newStaffCredentials, openDatabase, putStaffAccount, subjectKeyer, totpCode } from '@openmydata/hub';
import { createDemoCa, type DemoCa } from '../../demo/src/ca/index.ts';
import { signWithCard } from '../../demo/src/signer/sign-nonce.ts';
import { writeTrustFiles } from '../../demo/src/signer/trust-files.ts';

const AGENCIES = 3;
const DELAY_MS = 50;
// BENCH_COUNTER_LEVELS=concurrency:flows,… overrides the levels (a quick proof: 1:3,4:8);
// BENCH_COUNTER_SECONDS bounds each level's time (no new flow starts after it).
const LEVELS = levels(process.env.BENCH_COUNTER_LEVELS ?? '1:10,10:60,50:200');
const LEVEL_SECONDS = positive(process.env.BENCH_COUNTER_SECONDS ?? '120', 'BENCH_COUNTER_SECONDS');
// One request that takes this long is an error of its step, so a stuck hub cannot hang the bench.
const REQUEST_TIMEOUT_MS = 30_000;
const SERVICE = 'bench-counter-service';

function positive(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a whole number above 0, got ${JSON.stringify(text)}`);
  return n;
}

function levels(text: string): Array<{ concurrency: number; flows: number }> {
  return text.split(',').map((pair) => {
    const [concurrency = '', flows = ''] = pair.trim().split(':');
    return { concurrency: positive(concurrency, 'BENCH_COUNTER_LEVELS'), flows: positive(flows, 'BENCH_COUNTER_LEVELS') };
  });
}

/** Cookies of one browser, by name. */
class Jar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
}

async function call(base: string, jar: Jar, path: string, form?: Record<string, string>): Promise<{ status: number; text: string; location: string }> {
  const res = await fetch(`${base}${path}`, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie: jar.header(), accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form) } : {}),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  jar.keep(res);
  return { status: res.status, text: await res.text(), location: res.headers.get('location') ?? '' };
}

function expect(condition: unknown, step: string, detail = ''): asserts condition {
  // The page's own message (a notice or alert), not its frame.
  const said = /class="notice error" role="alert">([^<]+)</.exec(detail)?.[1] ?? /<h1>([^<]+)</.exec(detail)?.[1] ?? detail.slice(0, 200);
  if (!condition) throw new Error(`${step} failed: ${said}`);
}

const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';

/** What one flow needs: the hub's URL, the demo CA's cards, the mail outbox, a signed-in clerk. */
export interface CounterFlowContext {
  base: string;
  ca: DemoCa;
  /** The demo mail sink's outbox (its JSON list of messages). */
  outbox: string;
  service: string;
  clerk: { jar: Jar; csrf: string };
}

/** One complete counter flow for one person; throws naming the step that failed. */
export async function counterFlow(ctx: CounterFlowContext, nationalId: string, email: string): Promise<void> {
  const { base } = ctx;
  const person = new Jar();
  const next = `/counters/services/${ctx.service}/consent`;
  // Sign in: the card signs the hub's nonce.
  const login = await call(base, person, `/login/x509?${new URLSearchParams({ next, level: '1' })}`);
  const nonce = /data-nonce="([^"]+)"/.exec(login.text)?.[1];
  expect(nonce, 'x509 challenge', login.text);
  const card = ctx.ca.cards.get(nationalId);
  expect(card, 'demo card');
  const signed = await signWithCard(ctx.ca, card, nonce);
  const verified = await call(base, person, '/login/x509', {
    _csrf: csrfOf(login.text),
    next,
    level: '1',
    certificatePem: signed.certificatePem,
    chainPem: JSON.stringify(signed.chainPem),
    signature: signed.signature,
  });
  expect(verified.status === 303 && verified.location === next, 'x509 sign-in', verified.text);
  // Consent, then follow the retrieval until the code is there.
  const consentPage = await call(base, person, next);
  const consent = await call(base, person, next, { _csrf: csrfOf(consentPage.text), email, decision: 'agree' });
  expect(consent.status === 303, 'consent', consent.text);
  const events = await fetch(`${base}${consent.location}/events`, {
    headers: { cookie: person.header() },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  expect(events.body, 'progress events');
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of events.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    if (/"finished":true/.test(buffered)) break;
  }
  const codePage = await call(base, person, consent.location);
  const code = /class="code-text" lang="en">([0-9A-Z]{4}) ([0-9A-Z]{4})</.exec(codePage.text);
  expect(code, 'code', codePage.text);
  // The clerk scans it; the person reads out the mailed confirmation code.
  const scanned = await call(base, ctx.clerk.jar, '/console/scan', { _csrf: ctx.clerk.csrf, code: `${code[1]}${code[2]}` });
  const redemption = /name="redemption" value="([0-9a-f-]{36})"/.exec(scanned.text)?.[1];
  expect(redemption, 'scan', scanned.text);
  // The hub answers the scan once the mail server took the message, so one look usually finds it.
  let confirmation: string | undefined;
  const deadline = Date.now() + 30_000;
  while (!confirmation && Date.now() < deadline) {
    const { messages } = (await (await fetch(`${ctx.outbox}/api/messages`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).json()) as {
      messages: Array<{ to: string[]; text: string }>;
    };
    const message = messages.find((m) => m.to.includes(email) && /確認碼：(\d{6})/.test(m.text));
    confirmation = message ? /確認碼：(\d{6})/.exec(message.text)?.[1] : undefined;
    if (!confirmation) await new Promise((r) => setTimeout(r, 100));
  }
  expect(confirmation, 'confirmation mail');
  const opened = await call(base, ctx.clerk.jar, '/console/confirm', { _csrf: ctx.clerk.csrf, redemption, confirmation });
  expect(opened.status === 303, 'confirm', opened.text);
  const casePage = await call(base, ctx.clerk.jar, opened.location);
  expect((casePage.text.match(/class="verdict ok"/g) ?? []).length === AGENCIES, 'verified case', casePage.text);
  const done = await call(base, ctx.clerk.jar, `${opened.location}/done`, { _csrf: ctx.clerk.csrf });
  expect(done.status === 303, 'close case', done.text);
}

async function startAgency(id: string, hubUrl: string, issuer: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'timed-agency.ts')], {
    env: { ...process.env, AGENCY_ID: id, DELAY_MS: String(DELAY_MS), HUB_URL: hubUrl, HUB_ISSUER: issuer },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`agency ${id} exited ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

async function signInClerk(db: Db, secret: Buffer, base: string, i: number): Promise<{ jar: Jar; csrf: string }> {
  const id = `bench.clerk.${i}`;
  const credentials = newStaffCredentials();
  await putStaffAccount(db, secret, { id, officeId: 'bench-office', role: 'clerk', ...credentials }, { update: true });
  const jar = new Jar();
  const form = await call(base, jar, '/console/sign-in');
  const signedIn = await call(base, jar, '/console/sign-in', {
    _csrf: csrfOf(form.text),
    staff: id,
    password: credentials.password,
    totp: totpCode(credentials.totpSecret),
  });
  expect(signedIn.status === 303, 'clerk sign-in', signedIn.text);
  return { jar, csrf: csrfOf((await call(base, jar, '/console')).text) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The hub as its own process (packages/hub/src/main.ts), ready when it says it listens. */
async function startHubProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../packages/hub/src/main.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.includes('hub listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the hub exited ${code} (its reasons are printed above)`)));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error('the hub did not listen within 60 s'));
    }, 60_000);
    timer.unref();
  });
  return child;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'omd-bench-counter-'));
  const ca = await createDemoCa();
  const trust = await writeTrustFiles(join(dir, 'trust'), ca);
  const [smtpPort, outboxPort] = [await freePort(), await freePort()];
  const mail = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../demo/src/mail/main.ts')], {
    env: { ...process.env, MAIL_SMTP_PORT: String(smtpPort), MAIL_OUTBOX_PORT: String(outboxPort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: mail.stdout as NodeJS.ReadableStream }).once('line', () => resolve());
    mail.once('exit', (code) => reject(new Error(`the mail sink exited ${code}`)));
  });
  const outbox = `http://127.0.0.1:${outboxPort}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The public name is localhost (passkeys need a domain name); the clients use the address itself.
  const publicUrl = `http://localhost:${port}`;
  const secret = randomBytes(32);
  const agencies = await Promise.all(Array.from({ length: AGENCIES }, (_, i) => startAgency(`bench-${i}`, base, publicUrl)));
  let hub: ChildProcess | undefined;
  let db: Db | undefined;
  try {
    await flows();
  } finally {
    await db?.destroy();
    for (const a of agencies) a.child.kill('SIGTERM');
    if (hub && hub.exitCode === null) {
      hub.kill('SIGTERM');
      await new Promise((r) => hub?.once('exit', r));
    }
    mail.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }

  async function flows(): Promise<void> {
    const datasets = agencies.map((_, i) => `bench-ds-${i}`);
    const registryFile = join(dir, 'registry.json');
    writeFileSync(
      registryFile,
      JSON.stringify({
        agencies: agencies.map((a, i) => ({
          id: `bench-${i}`,
          name: { 'zh-TW': `效能測試機關 ${i}`, en: `Bench agency ${i}` },
          base_url: a.url,
          datasets: [
            {
              id: datasets[i],
              name: { 'zh-TW': `資料集 ${i}`, en: `Data set ${i}` },
              description: { 'zh-TW': '效能測試', en: 'Benchmark' },
              category: 'household',
              fields: [{ id: 'value', name: { 'zh-TW': '值', en: 'Value' }, type: 'string' }],
              formats: ['json', 'pdf'],
              min_assurance_level: 1,
              typical_preparation_seconds: 0,
            },
          ],
        })),
      }),
    );
    const countersFile = join(dir, 'counters.json');
    writeFileSync(
      countersFile,
      JSON.stringify({
        governments: [
          {
            id: 'bench',
            name: { 'zh-TW': '效能測試縣', en: 'Bench County' },
            offices: [
              {
                id: 'bench-office',
                name: { 'zh-TW': '效能測試公所', en: 'Bench Office' },
                address: { 'zh-TW': '測試路1號', en: '1 Bench Rd.' },
                services: [
                  { id: SERVICE, name: { 'zh-TW': '效能測試服務', en: 'Bench service' }, purpose: { 'zh-TW': '效能測試', en: 'Benchmark' }, datasets },
                ],
              },
            ],
          },
        ],
      }),
    );
    const databaseUrl = process.env.DATABASE_URL;
    hub = await startHubProcess({
      NODE_ENV: 'production',
      HUB_PORT: String(port),
      HUB_PUBLIC_URL: publicUrl,
      HUB_SECRET: secret.toString('base64'),
      DATA_DIR: dir,
      LOG_LEVEL: 'info',
      REGISTRY_FILE: registryFile,
      COUNTER_REGISTRY_FILE: countersFile,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      X509_TRUST_ANCHORS: trust.rootCa,
      X509_CRLS: `${trust.issuingCrl},${trust.rootCrl}`,
      SIGNER_URL: 'http://127.0.0.1:9',
      NEW_SESSIONS_PER_ADDRESS: '1000000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    // The bench's own connection to the hub's database: staff accounts and returning citizens.
    const opened = openDatabase({ databaseUrl, dataDir: dir, poolSize: 2 });
    db = opened.db;
    const engine = opened.engine;
    {
      await migrateToLatest(db);
      // Returning citizens (their first use, with two methods, happened before): a card alone signs them in.
      const citizens = [...ca.cards.keys()].filter((id) => id !== 'A227615302').slice(0, 400);
      const stamp = new Date().toISOString();
      const subjectKey = subjectKeyer(secret);
      for (const id of citizens)
        await db
          .insertInto('known_subjects')
          .values({ subject_key: subjectKey(id), first_seen_at: stamp })
          .onConflict((oc) => oc.column('subject_key').doNothing())
          .execute();
      const maxConcurrency = Math.max(...LEVELS.map((l) => l.concurrency));
      const clerks: Array<{ jar: Jar; csrf: string }> = [];
      for (let i = 0; i < maxConcurrency; i++) clerks.push(await signInClerk(db, secret, base, i));
      let next = 0;
      const flow = (worker: number) => {
        const n = next++;
        const ctx: CounterFlowContext = { base, ca, outbox, service: SERVICE, clerk: clerks[worker] as { jar: Jar; csrf: string } };
        return counterFlow(ctx, citizens[n % citizens.length] as string, `bench.${n}@example.test`);
      };
      // Warm-up: connections, JWKS caches, the JIT.
      for (let i = 0; i < 3; i++) await flow(0);
      process.stdout.write(
        `\ncounter flows: one hub process on ${engine}, ${AGENCIES} agencies (${DELAY_MS} ms each) in their own processes, ${availableParallelism()} cores\n`,
      );
      process.stdout.write(
        'each flow: certificate sign-in, consent, 3 data sets fetched and verified, code issued, clerk scan, mailed confirmation code, case read, closed\n\n',
      );
      process.stdout.write(
        `  ${'concurrency'.padEnd(12)}${'flows'.padStart(7)}${'flows/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'errors'.padStart(8)}\n`,
      );
      let failed = 0;
      for (const level of LEVELS) {
        const times: number[] = [];
        const errors: string[] = [];
        let remaining = level.flows;
        const started = performance.now();
        const stopAt = started + LEVEL_SECONDS * 1000;
        await Promise.all(
          Array.from({ length: level.concurrency }, async (_, worker) => {
            while (remaining > 0 && performance.now() < stopAt) {
              remaining -= 1;
              const t0 = performance.now();
              try {
                await flow(worker);
                times.push(performance.now() - t0);
              } catch (error) {
                errors.push((error as Error).message);
              }
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        failed += errors.length;
        const ran = times.length + errors.length;
        process.stdout.write(
          `  ${String(level.concurrency).padEnd(12)}${String(ran).padStart(7)}${(times.length / seconds).toFixed(1).padStart(10)}${percentile(times, 0.5).toFixed(0).padStart(10)}${percentile(times, 0.95).toFixed(0).padStart(10)}${String(errors.length).padStart(8)}\n`,
        );
        if (ran < level.flows) process.stdout.write(`      stopped after ${LEVEL_SECONDS} s: ${ran} of ${level.flows} flows ran\n`);
        const reasons = new Map<string, number>();
        for (const message of errors) reasons.set(message, (reasons.get(message) ?? 0) + 1);
        for (const [message, count] of [...reasons].sort((a, b) => b[1] - a[1])) process.stdout.write(`      ${String(count).padStart(5)} × ${message}\n`);
      }
      process.stdout.write('\n');
      process.exitCode = failed === 0 ? 0 : 1;
    }
  }
}
