// A demo online service as its own HTTP server, written only with the service SDK: a start page,
// the pushed authorization request, the callback, the data call (a page that refreshes while the
// agencies prepare), and a result page showing what arrived, each agency signature's verdict, and
// what the service does with the data. Sessions and received records live in this process's memory
// only and nothing about a person is logged; a demo, not a model of how a bank keeps records.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Authorization,
  AuthorizationRefused,
  DataCallError,
  type Delivery,
  type PendingAuthorization,
  publicJwks,
  ServiceClient,
  type ServiceKeys,
} from '@openmydata/service-sdk';
import { type Bilingual, both, demoPage, escapeHtml, styleHash } from '../demo-page.ts';
import type { DemoService } from './definitions.ts';

export interface DemoServiceOptions {
  service: DemoService;
  keys: ServiceKeys;
  /** The hub's issuer (its public URL). */
  hubUrl: string;
  port: number;
  host?: string;
  /** This service's own public URL; http://HOST:PORT unless told. */
  publicUrl?: string;
  log?: (line: string) => void;
}

export interface RunningDemoService {
  url: string;
  close(): Promise<void>;
}

interface Visit {
  pending?: PendingAuthorization;
  authorization?: Authorization;
  delivery?: Delivery;
  refused?: string;
  failure?: string;
}

const STYLES = `
:root{color-scheme:light;font-family:"Noto Sans TC","Noto Sans CJK TC",system-ui,sans-serif;line-height:1.6;color:#1b1b1b;background:#f4f6f4}
body{margin:0}
header,main,footer{max-width:52rem;margin:0 auto;padding:1rem 1.25rem}
header{border-bottom:4px solid #1f5130}
.brand{font-size:1.25rem;font-weight:700;margin:0;color:#1f5130}
.demo{margin:.5rem 0 0;padding:.5rem .75rem;background:#fff4ce;border:1px solid #8a6d00;color:#3d3000}
main{background:#fff;margin-top:1rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4rem;line-height:1.4}
h2{font-size:1.15rem;margin-top:1.5rem}
.en{display:block;color:#3a3a3a;font-size:.95em}
.button{display:inline-block;background:#1f5130;color:#fff;padding:.65rem 1.2rem;border-radius:4px;text-decoration:none;font-size:1.05rem}
.button .en{color:#fff}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}
th,td{border:1px solid #c5ccc5;padding:.35rem .5rem;text-align:left;vertical-align:top}
.ok{color:#14532d;font-weight:700}
.bad{color:#8a0016;font-weight:700}
.verdict{border-left:6px solid #1f5130;background:#eef6f0;padding:.6rem .9rem;font-size:1.1rem}
.verdict.no{border-color:#8a0016;background:#fdecee}
:focus-visible{outline:3px solid #c75000;outline-offset:2px}
footer{font-size:.9rem;color:#3a3a3a}
`;
const CSP = `default-src 'none'; style-src '${styleHash(STYLES)}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const COOKIE = 'demo_service_session';

function sessionId(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v && /^[A-Za-z0-9_-]{22,64}$/.test(v)) return v;
  }
  return undefined;
}

export async function startDemoService(options: DemoServiceOptions): Promise<RunningDemoService> {
  const { service, keys } = options;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const visits = new Map<string, Visit>();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = (options.publicUrl ?? `http://${options.host ?? '127.0.0.1'}:${address.port}`).replace(/\/$/, '');
  const redirectUri = `${url}/callback`;
  let client: Promise<ServiceClient> | undefined;
  // The hub may start after us (or restart): discovery is read on first need, and again after a failure.
  const sdk = () => {
    client ??= ServiceClient.create({ hub: options.hubUrl, clientId: service.clientId, redirectUri, keys, allowInsecureRequests: true }).catch(
      (error: unknown) => {
        client = undefined;
        throw error;
      },
    );
    return client;
  };

  const page = (res: ServerResponse, status: number, title: Bilingual, body: string, extraHead = '') => {
    const html = demoPage({
      title,
      brand: service.provider,
      notice: { zh: 'OpenMyData 示範用的線上服務，資料為合成資料。', en: 'An OpenMyData demo service with synthetic data.' },
      styles: STYLES,
      body,
    });
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(extraHead ? html.replace('</head>', `${extraHead}</head>`) : html);
  };

  const visitOf = (req: IncomingMessage, res: ServerResponse): Visit => {
    let id = sessionId(req);
    if (!id || !visits.has(id)) {
      id = randomBytes(24).toString('base64url');
      visits.set(id, {});
      res.setHeader('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    }
    return visits.get(id) as Visit;
  };

  const datasetList = service.datasets.map((d) => `<li>${both(d.name)}</li>`).join('');

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void>> = {
    '/': async (_req, res) => {
      page(
        res,
        200,
        service.name,
        `<h1>${both(service.name)}</h1>
<p>${both(service.intro)}</p>
<h2>${both({ zh: '我們會請求的資料', en: 'What we will ask for' })}</h2>
<ul>${datasetList}</ul>
<p>${both({ zh: `用途：${service.purpose.zh}。資料保存 ${service.retentionDays} 天。`, en: `Purpose: ${service.purpose.en}. Kept for ${service.retentionDays} days.` })}</p>
<p><a class="button" href="/start">${both({ zh: '使用 OpenMyData 提供我的資料', en: 'Provide my data with OpenMyData' })}</a></p>
<p><a href="/privacy">${both({ zh: '隱私權政策', en: 'Privacy policy' })}</a></p>`,
      );
    },
    '/start': async (req, res) => {
      const visit = visitOf(req, res);
      const { url: authorize, pending } = await (await sdk()).pushAuthorization({ service: service.id, datasets: service.datasets.map((d) => d.id) });
      Object.assign(visit, { pending, authorization: undefined, delivery: undefined, refused: undefined, failure: undefined });
      res.writeHead(303, { location: authorize.href }).end();
    },
    '/callback': async (req, res) => {
      const visit = visitOf(req, res);
      if (!visit.pending) {
        res.writeHead(303, { location: '/' }).end();
        return;
      }
      try {
        visit.authorization = await (await sdk()).handleCallback(new URL(req.url ?? '/', url), visit.pending);
        log(`${service.id}: authorized transfer ${visit.authorization.transfer}`);
      } catch (error) {
        if (!(error instanceof AuthorizationRefused)) throw error;
        visit.refused = error.error;
        log(`${service.id}: authorization refused (${error.error})`);
      }
      visit.pending = undefined;
      res.writeHead(303, { location: '/result' }).end();
    },
    '/result': async (req, res) => {
      const visit = visitOf(req, res);
      if (visit.refused) {
        page(
          res,
          200,
          { zh: '未取得資料', en: 'No data received' },
          `<h1>${both({ zh: '您沒有同意提供資料', en: 'You did not consent' })}</h1>
<p>${both({ zh: `OpenMyData 回覆：${visit.refused}。我們沒有取得您的任何資料。您可以隨時重新申請，或改以臨櫃方式辦理。`, en: `OpenMyData answered: ${visit.refused}. We received none of your data. You may start again at any time, or apply in person.` })}</p>
<p><a class="button" href="/">${both({ zh: '回到首頁', en: 'Back to the start' })}</a></p>`,
        );
        return;
      }
      if (!visit.authorization) {
        res.writeHead(303, { location: '/' }).end();
        return;
      }
      if (!visit.delivery && !visit.failure) {
        try {
          const result = await (await sdk()).fetchData(visit.authorization);
          if (result.status === 'preparing') {
            page(
              res,
              202,
              { zh: '資料準備中', en: 'Preparing' },
              `<h1>${both({ zh: '各機關正在準備您的資料', en: 'The agencies are preparing your data' })}</h1>
<p role="status">${both({ zh: `本頁會在 ${result.retryAfterSeconds} 秒後自動更新。`, en: `This page refreshes in ${result.retryAfterSeconds} s.` })}</p>
<p><a href="/result">${both({ zh: '立即更新', en: 'Refresh now' })}</a></p>`,
              `<meta http-equiv="refresh" content="${result.retryAfterSeconds}">`,
            );
            return;
          }
          visit.delivery = result.delivery;
          log(
            `${service.id}: received transfer ${result.delivery.transfer}: ${result.delivery.datasets.map((d) => `${d.dataset}=${d.verdict?.ok ? 'verified' : d.status}`).join(', ')}`,
          );
        } catch (error) {
          if (!(error instanceof DataCallError)) throw error;
          visit.failure = `${error.error}: ${error.description ?? ''}`;
          log(`${service.id}: data call failed (${error.error})`);
        }
      }
      if (visit.failure) {
        page(
          res,
          502,
          { zh: '未能取得資料', en: 'The data did not arrive' },
          `<h1>${both({ zh: '未能取得資料', en: 'The data did not arrive' })}</h1><p>${escapeHtml(visit.failure)}</p><p><a class="button" href="/">${both({ zh: '重新開始', en: 'Start again' })}</a></p>`,
        );
        return;
      }
      page(res, 200, { zh: '預審結果', en: 'Result' }, resultBody(service, visit.delivery as Delivery));
    },
    '/privacy': async (_req, res) => {
      page(
        res,
        200,
        { zh: '隱私權政策', en: 'Privacy policy' },
        `<h1>${both({ zh: '隱私權政策', en: 'Privacy policy' })}</h1>
<p>${both({
          zh: `${service.provider.zh}僅為「${service.purpose.zh}」使用您經 OpenMyData 提供的資料，保存 ${service.retentionDays} 天後刪除，不提供給第三人。這是示範服務：資料只存在伺服器記憶體中，重新啟動即消失。`,
          en: `${service.provider.en} uses the data you provide through OpenMyData only ${service.purpose.en.toLowerCase()}, keeps it ${service.retentionDays} days, then deletes it, and gives it to no one. This is a demo: the data live in the server's memory only and are gone on restart.`,
        })}</p>`,
      );
    },
    '/.well-known/jwks.json': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(JSON.stringify(publicJwks(keys)));
    },
    '/healthz': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    },
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(req.url ?? '/', url);
    const handle = async () => {
      if (target.pathname === '/webhook' && req.method === 'POST') return webhook(req, res);
      const route = req.method === 'GET' ? routes[target.pathname] : undefined;
      if (!route) {
        page(res, 404, { zh: '找不到頁面', en: 'Not found' }, `<h1>${both({ zh: '找不到頁面', en: 'Not found' })}</h1>`);
        return;
      }
      await route(req, res, target.searchParams);
    };
    handle().catch((error: unknown) => {
      log(`${service.id}: ${req.method} ${target.pathname} failed: ${(error as Error).name}: ${(error as Error).message}`);
      if (!res.headersSent)
        page(
          res,
          500,
          { zh: '發生錯誤', en: 'Something went wrong' },
          `<h1>${both({ zh: '發生錯誤，請稍後再試', en: 'Something went wrong; please try again' })}</h1><p><a href="/">${both({ zh: '回到首頁', en: 'Back to the start' })}</a></p>`,
        );
      else res.end();
    });
  });

  async function webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 16 * 1024) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    try {
      const event = await (await sdk()).verifyWebhook(Buffer.concat(chunks).toString('utf8').trim());
      log(`${service.id}: webhook ${event.event} for transfer ${event.transfer}`);
      res.writeHead(204).end();
    } catch {
      log(`${service.id}: webhook refused (not signed by the hub)`);
      res.writeHead(400).end();
    }
  }

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function resultBody(service: DemoService, delivery: Delivery): string {
  const assessment = service.assess(delivery);
  const sections = delivery.datasets.map((d) => {
    const name = service.datasets.find((x) => x.id === d.dataset)?.name ?? { zh: d.dataset, en: d.dataset };
    const verdict = d.verdict
      ? d.verdict.ok
        ? `<p class="ok">${both({ zh: `✓ ${d.agency ?? ''} 的簽章驗證通過（金鑰 ${d.verdict.kid}）`, en: `✓ Signature of ${d.agency ?? ''} verified (key ${d.verdict.kid})` })}</p>`
        : `<p class="bad">${both({ zh: `✗ 簽章驗證失敗：${d.verdict.code}，資料未採用`, en: `✗ Signature check failed: ${d.verdict.code}; the data were not used` })}</p>`
      : `<p class="bad">${both({ zh: `未取得（${d.status}${d.reason ? `：${d.reason}` : ''}）`, en: `Not received (${d.status}${d.reason ? `: ${d.reason}` : ''})` })}</p>`;
    const fields = d.fields.filter((f) => f.type !== 'image');
    const table =
      d.verdict?.ok && d.records.length > 0
        ? `<table><thead><tr>${fields.map((f) => `<th scope="col">${escapeHtml(f.name['zh-TW'])}<span lang="en" class="en">${escapeHtml(f.name.en)}</span></th>`).join('')}</tr></thead><tbody>${d.records
            .map((r) => `<tr>${fields.map((f) => `<td>${escapeHtml(r[f.id] === null || r[f.id] === undefined ? '—' : String(r[f.id]))}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`
        : d.verdict?.ok
          ? `<p>${both({ zh: '此資料集沒有紀錄。', en: 'No records in this data set.' })}</p>`
          : '';
    return `<section><h2>${both(name)}</h2>${verdict}${table}</section>`;
  });
  return `<h1>${both(service.name)}</h1>
<p class="verdict${assessment.favourable ? '' : ' no'}" role="status">${both(assessment.verdict)}</p>
<h2>${both({ zh: '我們如何使用您的資料', en: 'What we did with your data' })}</h2>
<ul>${assessment.reasons.map((r) => `<li>${both(r)}</li>`).join('')}</ul>
<h2>${both({ zh: '收到的資料', en: 'What we received' })}</h2>
<p>${both({
    zh: `OpenMyData 傳送編號 ${delivery.transfer}。每份資料都由我們自行以提供機關公布的金鑰驗證簽章，不只相信平台。`,
    en: `OpenMyData transfer ${delivery.transfer}. We checked each agency's signature ourselves, against the keys the agency publishes, rather than trusting the platform.`,
  })}</p>
${sections.join('\n')}`;
}
