// npm run bench -- online: complete mode 3 flows, each as a service and a person would make it:
// the service's pushed request (SDK), the person's browser at the hub (redirected to sign in with
// the mock mobile ID, then the consent screen, agreed), the code redeemed with DPoP, the data call
// polled until the delivery arrives, decrypted and every agency package verified (SDK). The hub,
// the demo agencies (own process), the mock IdP and the service run on this machine. Reported at
// concurrency 1, 10 and 50: flows per second, median and p95 per flow, errors.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createHub,
  createLogger,
  createOidcMethod,
  type Hub,
  loadConfig,
  parseRegistry,
  seedRegistry,
  serviceProviderSchema,
  upsertProvider,
} from '@openmydata/hub';
import { generateServiceKeys, publicJwks, ServiceClient } from '@openmydata/service-sdk';
import { DEMO_AGENCIES, registryWith } from '../../demo/src/catalogue.ts';
import { startMockIdp } from '../../demo/src/idp/mock-idp.ts';
import { CITIZENS } from '../../demo/src/population/citizens.ts';
import { recordsFor } from '../../demo/src/population/records.ts';
import { BANK } from '../../demo/src/services/definitions.ts';

/** A browser as far as the flow needs one: cookies per origin, redirects followed by hand. */
class ScriptedBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  private cookies(url: URL): string {
    return [...(this.jars.get(url.origin) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, res: Response): void {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(pair.slice(0, at).trim());
      else jar.set(pair.slice(0, at).trim(), value);
    }
  }

  /** Follows redirects until a page, or until the address starts with `stopAt` (not fetched). */
  async go(
    url: string | URL,
    init: { method?: string; form?: Record<string, string> } = {},
    stopAt?: string,
  ): Promise<{ url: URL; status: number; body: string }> {
    let target = new URL(url);
    let method = init.method ?? 'GET';
    let body: URLSearchParams | undefined = init.form ? new URLSearchParams(init.form) : undefined;
    for (let hop = 0; hop < 20; hop++) {
      if (stopAt && target.href.startsWith(stopAt)) return { url: target, status: 0, body: '' };
      const res = await fetch(target, {
        method,
        redirect: 'manual',
        headers: { accept: 'text/html', cookie: this.cookies(target), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body } : {}),
      });
      this.keep(target, res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        target = new URL(location, target);
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: target, status: res.status, body: await res.text() };
    }
    throw new Error(`too many redirects at ${target.pathname}`);
  }
}

function field(html: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(html)?.[1];
  if (!found) throw new Error(`no ${what} on the page`);
  return found;
}

export interface OnlineFlowContext {
  hubUrl: string;
  sdk: ServiceClient;
  redirectUri: string;
  service: { id: string; datasets: string[] };
}

/**
 * One complete online flow for one person: the service's PAR, the person's sign-in (mobile ID) and
 * consent at the hub, the callback and the token with DPoP, the data call until the delivery, then
 * decryption and each agency signature checked. Resolves with the number of verified packages.
 */
export async function onlineFlow(ctx: OnlineFlowContext, nationalId: string): Promise<number> {
  const browser = new ScriptedBrowser();
  const { url, pending } = await ctx.sdk.pushAuthorization({ service: ctx.service.id, datasets: ctx.service.datasets });
  const login = await browser.go(url);
  if (!login.url.pathname.startsWith('/login')) throw new Error(`expected the sign-in page, got ${login.url.pathname} (${login.status})`);
  const start = field(login.body, /href="(\/login\/oidc\/start[^"]*)"/, 'mobile ID link').replace(/&amp;/g, '&');
  const idp = await browser.go(new URL(start, ctx.hubUrl));
  const code = field(idp.body, /<p class="code"[^>]*>([\d ]+)</, 'confirmation code').replace(/\s/g, '');
  const uid = field(idp.url.pathname, /^\/interaction\/([^/]+)$/, 'interaction');
  const consent = await browser.go(new URL(`/interaction/${uid}/login`, idp.url), {
    method: 'POST',
    form: { national_id: nationalId, confirmation_code: code },
  });
  if (!consent.url.pathname.startsWith('/services/consent/')) throw new Error(`expected the consent page, got ${consent.url.pathname} (${consent.status})`);
  const csrf = field(consent.body, /name="_csrf" value="([^"]+)"/, 'CSRF token');
  const back = await browser.go(consent.url, { method: 'POST', form: { _csrf: csrf, decision: 'agree', email: '' } }, ctx.redirectUri);
  if (!back.url.href.startsWith(ctx.redirectUri)) throw new Error(`not sent back to the service (${back.url.pathname} ${back.status})`);
  const authorization = await ctx.sdk.handleCallback(back.url, pending);
  const delivery = await ctx.sdk.waitForData(authorization, { timeoutMs: 120_000 });
  const verified = delivery.datasets.filter((d) => d.verdict?.ok).length;
  if (!delivery.complete)
    throw new Error(
      `incomplete delivery: ${delivery.datasets.map((d) => `${d.dataset} ${d.status} ${d.verdict?.ok ? 'ok' : (d.reason ?? 'unverified')}`).join(', ')}`,
    );
  return verified;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

async function startAgencies(hubPort: number, hubUrl: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../demo/src/agencies-main.ts')], {
    env: { ...process.env, HUB_PORT: String(hubPort), HUB_PUBLIC_URL: hubUrl, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A bench stopped half-way (Ctrl-C, a closed pipe) leaves no agency process behind.
  process.once('exit', () => child.kill('SIGTERM'));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`the demo agencies exited (${code})`)));
  });
  return child;
}

async function freeBase(): Promise<number> {
  const { createServer } = await import('node:net');
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 40_000 + Math.floor(Math.random() * 2000) * 10;
    const ports = [0, ...DEMO_AGENCIES.map((a) => a.portOffset)].map((o) => base + o);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return base;
  }
  throw new Error('no free ports for the hub and the demo agencies');
}

interface Series {
  title: string;
  levels: ReadonlyArray<{ concurrency: number; flows: number }>;
  /** Agencies and the registry of their data sets; resolves to the data sets and a way to stop them. */
  agencies(hub: Hub, port: number, hubUrl: string, dir: string): Promise<{ datasets: string[]; stop(): void }>;
}

const SERIES: readonly Series[] = [
  {
    title: 'with 3 timed agencies (50 ms each, own processes, no PDF rendering): what the hub, sign-in, OAuth and the SDK cost',
    levels: [
      { concurrency: 1, flows: 20 },
      { concurrency: 10, flows: 100 },
      { concurrency: 50, flows: 300 },
    ],
    async agencies(hub, _port, hubUrl) {
      const started = await Promise.all([0, 1, 2].map((i) => startTimedAgency(`bench-${i}`, hubUrl)));
      const registry = {
        agencies: started.map((a, i) => ({
          id: `bench-${i}`,
          name: { 'zh-TW': `效能測試機關 ${i}`, en: `Bench agency ${i}` },
          base_url: a.url,
          datasets: [
            {
              id: `bench-ds-${i}`,
              name: { 'zh-TW': `資料集 ${i}`, en: `Data set ${i}` },
              description: { 'zh-TW': '效能測試', en: 'Benchmark' },
              category: 'household',
              fields: [{ id: 'value', name: { 'zh-TW': '值', en: 'Value' }, type: 'string' }],
              formats: ['json', 'pdf'],
              min_assurance_level: 2,
              typical_preparation_seconds: 0,
            },
          ],
        })),
      };
      await seedRegistry(hub.db, parseRegistry(registry));
      return {
        datasets: registry.agencies.map((a) => a.datasets[0]?.id as string),
        stop: () => {
          for (const a of started) a.child.kill('SIGTERM');
        },
      };
    },
  },
  {
    title: 'with the demo agencies (one process, every package with its PDF rendered): income, labour insurance, property',
    levels: [
      { concurrency: 1, flows: 5 },
      { concurrency: 10, flows: 20 },
      { concurrency: 50, flows: 50 },
    ],
    async agencies(hub, port, hubUrl, dir) {
      const child = await startAgencies(port, hubUrl, dir);
      await seedRegistry(
        hub.db,
        parseRegistry(
          registryWith(
            (a) => `http://127.0.0.1:${port + a.portOffset}`,
            () => [],
          ),
        ),
      );
      return { datasets: BANK.datasets.map((d) => d.id), stop: () => child.kill('SIGTERM') };
    },
  },
];

async function startTimedAgency(id: string, hubUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'timed-agency.ts')], {
    env: { ...process.env, AGENCY_ID: id, DELAY_MS: '50', HUB_URL: hubUrl, HUB_ISSUER: hubUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGTERM'));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`agency ${id} exited ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

async function measure(series: Series): Promise<{ rows: string[][]; failures: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'omd-bench-online-'));
  const port = await freeBase();
  const hubUrl = `http://localhost:${port}`;
  const idp = await startMockIdp({
    port: 0,
    clients: [{ client_id: 'openmydata-hub', client_secret: 'bench-secret', redirect_uris: [`${hubUrl}/login/oidc/callback`] }],
  });
  let hub: Hub | undefined;
  let agencies: { datasets: string[]; stop(): void } | undefined;
  try {
    hub = await createHub(
      loadConfig({ HUB_PORT: String(port), HUB_PUBLIC_URL: hubUrl, DATA_DIR: dir, LOG_LEVEL: 'silent', NEW_SESSIONS_PER_ADDRESS: '1000000' }),
      {
        logger: createLogger({ level: 'silent' }),
        identity: {
          x509: undefined,
          oidc: createOidcMethod({
            issuer: idp.issuer,
            clientId: 'openmydata-hub',
            clientSecret: 'bench-secret',
            redirectUri: `${hubUrl}/login/oidc/callback`,
          }),
        },
      },
    );
    await hub.listen();
    agencies = await series.agencies(hub, port, hubUrl, dir);
    hub.catalogue.invalidate();
    const datasets = agencies.datasets;
    // People with records in every data set asked for, so every flow delivers a full set; they have
    // used the hub before, so one verification (the mobile ID) signs them in.
    const people = CITIZENS.map((c) => c.nationalId)
      .filter((id) => datasets.every((d) => d.startsWith('bench-') || (recordsFor(d as Parameters<typeof recordsFor>[0], id)?.records.length ?? 0) > 0))
      .slice(0, 60);
    if (people.length < 10) throw new Error(`only ${people.length} synthetic people have records in every data set`);
    for (const id of people)
      await hub.db
        .insertInto('known_subjects')
        .values({ subject_key: hub.subjectKey(id), first_seen_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('subject_key').doNothing())
        .execute();
    const keys = await generateServiceKeys();
    const redirectUri = 'https://bench-bank.example.test/callback';
    await upsertProvider(
      hub.db,
      serviceProviderSchema.parse({
        client_id: 'bench-bank',
        name: { 'zh-TW': '效能測試銀行', en: 'Bench bank' },
        jwks: publicJwks(keys),
        redirect_uris: [redirectUri],
        services: [
          {
            id: 'bench-loan',
            name: { 'zh-TW': '效能測試', en: 'Bench loan' },
            start_url: 'https://bench-bank.example.test/',
            datasets,
            purpose: { 'zh-TW': '效能測試', en: 'Benchmark' },
            retention_days: 1,
            privacy_policy_url: 'https://bench-bank.example.test/privacy',
          },
        ],
      }),
    );
    hub.services.directory.invalidate();
    const sdk = await ServiceClient.create({ hub: hubUrl, clientId: 'bench-bank', redirectUri, keys, allowInsecureRequests: true });
    const ctx: OnlineFlowContext = { hubUrl, sdk, redirectUri, service: { id: 'bench-loan', datasets } };
    // Warm up connections, JWKS caches and the JIT.
    for (let i = 0; i < 3; i++) await onlineFlow(ctx, people[i] as string);

    const rows: string[][] = [];
    let failures = 0;
    for (const level of series.levels) {
      const times: number[] = [];
      const errors: string[] = [];
      let next = 0;
      const started = performance.now();
      const worker = async () => {
        for (let i = next++; i < level.flows; i = next++) {
          const t0 = performance.now();
          try {
            await onlineFlow(ctx, people[i % people.length] as string);
            times.push(performance.now() - t0);
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
      };
      await Promise.all(Array.from({ length: level.concurrency }, worker));
      const seconds = (performance.now() - started) / 1000;
      failures += errors.length;
      rows.push([
        String(level.concurrency),
        String(level.flows),
        (times.length / seconds).toFixed(1),
        percentile(times, 0.5).toFixed(0),
        percentile(times, 0.95).toFixed(0),
        errors.length === 0 ? '0' : `${errors.length} (${[...new Set(errors.map((e) => e.slice(0, 120)))].slice(0, 2).join('; ')})`,
      ]);
    }
    return { rows, failures };
  } finally {
    agencies?.stop();
    await hub?.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  process.stdout.write(
    `\nonline flows (mode 3): the service's PAR (SDK), sign-in with the mock mobile ID, the consent screen, the code with DPoP, the data call, decrypt and verify every agency package (SDK); hub, IdP and service in this process, SQLite, ${availableParallelism()} cores\n`,
  );
  let failures = 0;
  for (const series of SERIES) {
    const result = await measure(series);
    failures += result.failures;
    process.stdout.write(`\n  ${series.title}\n\n`);
    for (const row of [['concurrency', 'flows', 'flows/s', 'median ms', 'p95 ms', 'errors'], ...result.rows])
      process.stdout.write(`  ${row.map((c, i) => (i === 5 ? c : c.padStart(i === 0 ? 11 : 9))).join('  ')}\n`);
  }
  process.stdout.write(`\n  ${failures === 0 ? 'no failed flow' : `${failures} failed flows`}\n\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}
