// The demo's mail server: an SMTP sink on the loopback (no auth, no TLS, 1 MB a message) that keeps
// the last messages in memory, and an "outbox" web page on its own port to read them. Nothing is
// relayed and nothing touches the disk: it is the synthetic citizens' inbox.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMessage } from './mime.ts';
import { messagePage, notFoundPage, outboxPage, STYLE_HASH } from './outbox-page.ts';

export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const KEPT_MESSAGES = 200;

export interface SinkMessage {
  id: string;
  /** ISO 8601, when the sink accepted it. */
  receivedAt: string;
  /** The header From. */
  from: string;
  /** The envelope recipients (RCPT TO). */
  to: string[];
  subject: string;
  text: string;
  html?: string;
  size: number;
}

export interface MailSinkOptions {
  smtpPort: number;
  httpPort: number;
  /** A loopback address; default 127.0.0.1. */
  host?: string;
}

export interface MailSink {
  smtpUrl: string;
  outboxUrl: string;
  /** Newest first. */
  messages(): SinkMessage[];
  clear(): void;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': `default-src 'none'; style-src '${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

interface Reply {
  status: number;
  type?: string;
  body?: string;
  headers?: Record<string, string>;
}

function write(res: ServerResponse, reply: Reply, head: boolean): void {
  const body = reply.body ?? '';
  res.writeHead(reply.status, {
    ...SECURITY_HEADERS,
    ...(reply.type ? { 'Content-Type': reply.type, 'Content-Length': String(Buffer.byteLength(body)) } : {}),
    ...reply.headers,
  });
  res.end(head ? undefined : body);
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';

function listen(
  server: { listen(port: number, host: string, cb: () => void): unknown; once(event: 'error', cb: (e: Error) => void): unknown },
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`the demo mail sink listens on the loopback only; got host ${host}`);
  let stored: SinkMessage[] = [];

  const smtp = new SMTPServer({
    name: 'openmydata-demo-mail.localhost',
    banner: 'OpenMyData demo mail sink (keeps messages in memory, relays nothing)',
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    maxClients: 20,
    // Every client is on this machine; a reverse DNS lookup would only slow each message down.
    disableReverseLookup: true,
    onConnect(session, callback) {
      if (!isLoopbackAddress(session.remoteAddress)) return callback(new Error('loopback only'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
      });
      stream.on('error', (error: Error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded || size > MAX_MESSAGE_BYTES) {
          return callback(Object.assign(new Error('message exceeds the 1 MB limit'), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        const parsed = parseMessage(raw);
        const message: SinkMessage = {
          id: randomUUID(),
          receivedAt: new Date().toISOString(),
          from: parsed.from,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject,
          text: parsed.text,
          ...(parsed.html === undefined ? {} : { html: parsed.html }),
          size: raw.length,
        };
        stored = [message, ...stored].slice(0, KEPT_MESSAGES);
        callback();
      });
    },
  });
  await listen(smtp, options.smtpPort, host);
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let outboxOrigin = '';
  let allowedHosts = new Set<string>();

  /** The delete button's form post; browsers say where it came from in Sec-Fetch-Site (Origin is "null" under no-referrer). */
  function sameOrigin(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined) return site === 'same-origin';
    const origin = req.headers.origin;
    return origin === undefined || origin === outboxOrigin || allowedHosts.has(origin.replace(/^http:\/\//, ''));
  }

  function route(req: IncomingMessage): Reply {
    // A DNS-rebinding page must not read the demo inbox: only our own host names are served.
    if (!allowedHosts.has(req.headers.host ?? '')) return { status: 421, type: TEXT, body: 'Misdirected request\n' };
    const path = new URL(req.url ?? '/', outboxOrigin).pathname;
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    const match = /^\/messages\/([0-9a-f-]{36})$/.exec(path);
    if (path === '/healthz' && read) return { status: 200, type: JSON_TYPE, body: '{"status":"ok"}\n' };
    if (path === '/' && read) return { status: 200, type: HTML, body: outboxPage(stored) };
    if (path === '/api/messages' && read) return { status: 200, type: JSON_TYPE, body: `${JSON.stringify({ messages: stored }, null, 2)}\n` };
    if (path === '/api/messages' && method === 'DELETE') {
      stored = [];
      return { status: 204 };
    }
    if (path === '/clear' && method === 'POST') {
      if (!sameOrigin(req)) return { status: 403, type: TEXT, body: 'Forbidden\n' };
      stored = [];
      return { status: 303, headers: { Location: '/' } };
    }
    if (match && read) {
      const message = stored.find((m) => m.id === match[1]);
      return message ? { status: 200, type: HTML, body: messagePage(message) } : { status: 404, type: HTML, body: notFoundPage() };
    }
    const allow = path === '/clear' ? 'POST' : path === '/api/messages' ? 'GET, HEAD, DELETE' : 'GET, HEAD';
    if (['/', '/api/messages', '/clear', '/healthz'].includes(path) || match)
      return { status: 405, type: TEXT, body: 'Method not allowed\n', headers: { Allow: allow } };
    return { status: 404, type: HTML, body: notFoundPage() };
  }

  const http: Server = createServer((req, res) => {
    // The request body is never needed; drain it so the connection is reusable.
    req.resume();
    let reply: Reply;
    try {
      reply = route(req);
    } catch {
      reply = { status: 500, type: TEXT, body: 'Internal error\n' };
    }
    write(res, reply, req.method === 'HEAD');
  });
  try {
    await listen(http, options.httpPort, host);
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw error;
  }
  const httpPort = (http.address() as AddressInfo).port;
  outboxOrigin = `http://${urlHost(host)}:${httpPort}`;
  allowedHosts = new Set([`${urlHost(host)}:${httpPort}`, `localhost:${httpPort}`, `127.0.0.1:${httpPort}`, `[::1]:${httpPort}`]);

  return {
    smtpUrl: `smtp://${urlHost(host)}:${smtpPort}`,
    outboxUrl: `${outboxOrigin}/`,
    messages: () => stored.map((m) => ({ ...m, to: [...m.to] })),
    clear() {
      stored = [];
    },
    async close() {
      http.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}
