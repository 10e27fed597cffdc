// Shared by the counter tests: a hub with a fake agency, the demo's real mail sink behind the SMTP
// notifier, a small counters registry, staff accounts made the operator's way, a console client that
// drives the production console routes over HTTP with its own cookies, and image decoders for the
// person's QR code (jsQR) and Code128 barcode (ZXing), independent of the libraries that drew them.
import assert from 'node:assert/strict';
import zxing from '@zxing/library';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { startMailSink } from '../../../../demo/src/mail/mail-sink.ts';
import { parseCounterRegistry } from '../../src/counter/counter-registry.ts';
import { applyCounterRegistry, type StaffRole } from '../../src/counter/counter-repository.ts';
import { newStaffCredentials, putStaffAccount } from '../../src/counter/staff-admin.ts';
import { totpCode } from '../../src/counter/staff-credentials.ts';
import type { Hub } from '../../src/hub.ts';
import { createSmsNotifier, createSmtpNotifier, routeByAddress } from '../../src/notify/index.ts';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { testRegistry } from '../helpers/registry.ts';

// jsqr is CommonJS typed as `export default`; under NodeNext the import is the function itself.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

export const DATASETS = ['household-personal', 'income'];

/** Two offices of two local governments; the first has two services. */
export const TEST_COUNTERS = {
  governments: [
    {
      id: 'taoyuan',
      name: { 'zh-TW': '桃園市', en: 'Taoyuan City' },
      offices: [
        {
          id: 'taoyuan-social',
          name: { 'zh-TW': '桃園市政府社會局', en: 'Taoyuan Social Welfare' },
          address: { 'zh-TW': '桃園市桃園區縣府路1號', en: '1 Xianfu Rd.' },
          services: [
            {
              id: 'taoyuan-low-income',
              name: { 'zh-TW': '低收入戶申請', en: 'Low-income application' },
              purpose: { 'zh-TW': '審核低收入戶資格', en: 'Assessing low-income status' },
              datasets: DATASETS,
            },
            {
              id: 'taoyuan-emergency',
              name: { 'zh-TW': '急難救助', en: 'Emergency relief' },
              purpose: { 'zh-TW': '審核急難救助', en: 'Assessing emergency relief' },
              datasets: ['household-personal'],
            },
          ],
        },
      ],
    },
    {
      id: 'hualien',
      name: { 'zh-TW': '花蓮縣', en: 'Hualien County' },
      offices: [
        {
          id: 'hualien-social',
          name: { 'zh-TW': '花蓮縣政府社會處', en: 'Hualien Social Affairs' },
          address: { 'zh-TW': '花蓮縣花蓮市府前路17號', en: '17 Fuqian Rd.' },
          services: [
            {
              id: 'hualien-low-income',
              name: { 'zh-TW': '低收入戶申請', en: 'Low-income application' },
              purpose: { 'zh-TW': '審核低收入戶資格', en: 'Assessing low-income status' },
              datasets: DATASETS,
            },
          ],
        },
      ],
    },
  ],
};

export interface CounterHub {
  t: TestHub;
  agency: FakeAgency;
  mail: Awaited<ReturnType<typeof startMailSink>>;
  stop(): Promise<void>;
}

export async function startCounterHub(
  options: {
    records?: Array<Record<string, unknown>>;
    env?: Record<string, string>;
    now?: () => Date;
    /** An SMS gateway for notices to mobile numbers, beside the mail sink. */
    smsGateway?: { url: string; token: string };
  } = {},
): Promise<CounterHub> {
  const agency = await startFakeAgency('household-office');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: options.records ?? [{ value: 'synthetic record' }] })));
  const mail = await startMailSink({ smtpPort: 0, httpPort: 0 });
  const t = await startTestHub({
    registry: testRegistry([{ id: 'household-office', baseUrl: agency.url, datasets: DATASETS }]),
    notifier: routeByAddress({
      email: createSmtpNotifier({ url: mail.smtpUrl, from: 'OpenMyData <no-reply@openmydata.invalid>' }),
      sms: options.smsGateway ? createSmsNotifier(options.smsGateway) : undefined,
    }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await seedCounters(t.hub);
  return {
    t,
    agency,
    mail,
    async stop() {
      await t.stop();
      await agency.close();
      await mail.close();
    },
  };
}

export async function seedCounters(hub: Pick<Hub, 'db' | 'counter'>): Promise<void> {
  await applyCounterRegistry(hub.db, parseCounterRegistry(TEST_COUNTERS), { exact: true });
  hub.counter.directory.invalidate();
  await hub.counter.directory.warm();
}

export interface StaffLogin {
  id: string;
  password: string;
  totpSecret: string;
}

export async function makeStaff(hub: Pick<Hub, 'db' | 'secret'>, id: string, officeId: string, role: StaffRole = 'clerk'): Promise<StaffLogin> {
  const credentials = newStaffCredentials();
  await putStaffAccount(hub.db, hub.secret, { id, officeId, role, ...credentials }, { update: false });
  return { id, ...credentials };
}

/** A browser at a counter, without the browser: its cookies, the forms' CSRF tokens, the pages' words. */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  /** Which hub process the next request goes to (any may serve any step). */
  constructor(public baseUrl: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      if (/Max-Age=0/i.test(line)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  async get(path: string): Promise<{ status: number; text: string; location: string | null; res: Response }> {
    const res = await fetch(`${this.baseUrl}${path}`, { redirect: 'manual', headers: { cookie: this.cookieHeader(), accept: 'text/html' } });
    this.keep(res);
    const text = res.headers.get('content-type')?.startsWith('text/') ? await res.text() : '';
    this.readCsrf(text);
    return { status: res.status, text, location: res.headers.get('location'), res };
  }

  async post(path: string, form: Record<string, string>): Promise<{ status: number; text: string; location: string | null }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: this.csrf, ...form }),
    });
    this.keep(res);
    const text = await res.text();
    this.readCsrf(text);
    return { status: res.status, text, location: res.headers.get('location') };
  }

  /** What the page's passkey script posts: JSON with the form's fields, JSON back. */
  async postJson(path: string, body: Record<string, string>): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ _csrf: this.csrf, ...body }),
    });
    this.keep(res);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  }

  private readCsrf(text: string): void {
    const found = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (found) this.csrf = found;
  }

  async signIn(login: StaffLogin, at: Date = new Date(), lang = 'zh-TW'): Promise<{ status: number; text: string; location: string | null }> {
    await this.get(`/console/sign-in?lang=${lang}`);
    return this.post('/console/sign-in', { staff: login.id, password: login.password, totp: totpCode(login.totpSecret, at) });
  }

  /** Signs in and lands on the scan page; fails the test otherwise. */
  async signedIn(login: StaffLogin, at?: Date, lang?: string): Promise<void> {
    const res = await this.signIn(login, at, lang);
    assert.equal(res.status, 303, res.text);
    const page = await this.get('/console');
    assert.ok([200, 423].includes(page.status), page.text);
  }

  scan(code: string) {
    return this.post('/console/scan', { code });
  }

  /** The redemption id on a confirmation page. */
  static redemptionOf(text: string): string {
    const id = /name="redemption" value="([0-9a-f-]{36})"/.exec(text)?.[1];
    assert.ok(id, 'a confirmation page');
    return id;
  }

  confirm(redemption: string, confirmation: string) {
    return this.post('/console/confirm', { redemption, confirmation });
  }
}

/** The confirmation code in the newest mail to this address. */
export function confirmationCodeIn(mail: CounterHub['mail'], to: string): string {
  const message = mail.messages().find((m) => m.to.includes(to) && /確認碼|confirmation code/.test(m.subject));
  const code = message ? /確認碼：(\d{6})/.exec(message.text)?.[1] : undefined;
  assert.ok(code, `a confirmation code was mailed to ${to}`);
  return code;
}

/** The code the person's page shows, as text. */
export function codeOnPage(text: string): string {
  const shown = /<p class="code-text" lang="en">([0-9A-Z]{4} [0-9A-Z]{4})<\/p>/.exec(text)?.[1];
  assert.ok(shown, 'the page shows the code as text');
  return shown.replace(' ', '');
}

export function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

export function decodeCode128(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  const luminance = new Uint8ClampedArray(image.width * image.height);
  for (let i = 0; i < luminance.length; i++) {
    const r = image.data[i * 4] ?? 0;
    const g = image.data[i * 4 + 1] ?? 0;
    const b = image.data[i * 4 + 2] ?? 0;
    const alpha = (image.data[i * 4 + 3] ?? 255) / 255;
    // Transparent pixels read as white paper behind them.
    luminance[i] = Math.round(255 - alpha * (255 - (r + g + b) / 3));
  }
  const bitmap = new zxing.BinaryBitmap(new zxing.HybridBinarizer(new zxing.RGBLuminanceSource(luminance, image.width, image.height)));
  try {
    return new zxing.Code128Reader().decode(bitmap).getText();
  } catch {
    return undefined;
  }
}

/** Counts rows of a table (what a refusal must not leave behind). */
export async function rows(hub: Pick<Hub, 'db'>, table: 'counter_redemptions' | 'counter_packages' | 'counter_cases'): Promise<number> {
  const found = await hub.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(found.n);
}
