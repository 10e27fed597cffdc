// The demo's SMS gateway: takes what the hub's SMS notifier posts (JSON { to, text } with a bearer
// token) on the loopback, keeps the last messages in memory, and shows them as JSON and as a plain
// outbox page. Nothing is sent to a phone and nothing touches the disk: it is the synthetic
// citizens' phone.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '@openmydata/protocol';

/** The demo gateway's bearer token: public, like the demo's other credentials. */
export const DEMO_SMS_TOKEN = 'openmydata-demo-sms-gateway-token';
export const MAX_SMS_BODY_BYTES = 4096;
export const KEPT_SMS = 200;

export interface SmsMessage {
  id: string;
  /** ISO 8601, when the sink accepted it. */
  receivedAt: string;
  /** E.164. */
  to: string;
  text: string;
}

export interface SmsSink {
  /** What SMS_GATEWAY_URL is set to. */
  url: string;
  /** The outbox page. */
  outboxUrl: string;
  /** Newest first. */
  messages(): SmsMessage[];
  /** The first message (kept or arriving) that matches; rejects after timeoutMs (for notices sent after the answer). */
  received(match: (m: SmsMessage) => boolean, timeoutMs?: number): Promise<SmsMessage>;
  close(): Promise<void>;
}

const HEADERS = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function answer(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { ...HEADERS, 'Content-Type': `${type}; charset=utf-8` });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SMS_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function sameToken(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startSmsSink(options: { port: number; token: string; host?: string }): Promise<SmsSink> {
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) throw new Error(`the demo SMS sink listens on the loopback only; got host ${host}`);
  const kept: SmsMessage[] = [];
  const arrivals = new EventEmitter();
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path === '/messages') {
        if (!sameToken(req.headers.authorization, options.token)) return answer(res, 401, { error: 'invalid_token' });
        const body = await readBody(req);
        if (body === undefined) return answer(res, 413, { error: 'too_large' });
        let message: { to?: unknown; text?: unknown };
        try {
          message = JSON.parse(body) as { to?: unknown; text?: unknown };
        } catch {
          return answer(res, 400, { error: 'not_json' });
        }
        if (typeof message.to !== 'string' || !/^\+[1-9]\d{7,14}$/.test(message.to) || typeof message.text !== 'string' || message.text === '')
          return answer(res, 400, { error: 'to must be E.164 and text not empty' });
        const stored: SmsMessage = { id: randomUUID(), receivedAt: new Date().toISOString(), to: message.to, text: message.text };
        kept.unshift(stored);
        kept.length = Math.min(kept.length, KEPT_SMS);
        arrivals.emit('message', stored);
        return answer(res, 201, { id: stored.id });
      }
      if (req.method === 'GET' && path === '/messages') return answer(res, 200, kept);
      if (req.method === 'GET' && path === '/healthz') return answer(res, 200, { status: 'ok' });
      if (req.method === 'GET' && path === '/') {
        const items = kept.map((m) => `<li><p>${escapeHtml(m.receivedAt)} → ${escapeHtml(m.to)}</p><p>${escapeHtml(m.text)}</p></li>`).join('\n');
        return answer(
          res,
          200,
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo SMS outbox</title></head><body><main><h1>Demo SMS outbox</h1>${kept.length ? `<ol>${items}</ol>` : '<p>No messages yet.</p>'}</main></body></html>`,
          'text/html',
        );
      }
      return answer(res, 404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${base}/messages`,
    outboxUrl: `${base}/`,
    messages: () => [...kept],
    received(match, timeoutMs = 10_000) {
      const found = kept.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onMessage = (m: SmsMessage) => {
          if (!match(m)) return;
          clearTimeout(timer);
          arrivals.off('message', onMessage);
          resolve(m);
        };
        const timer = setTimeout(() => {
          arrivals.off('message', onMessage);
          reject(new Error(`no matching SMS within ${timeoutMs} ms`));
        }, timeoutMs);
        arrivals.on('message', onMessage);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
