// The local signer: an HTTP server on 127.0.0.1 that the hub's sign-in page calls from the browser, like the
// card-reader helper citizens install. The page lists the cards (GET /certificates), the person picks one,
// and the page asks for the hub's nonce to be signed with it (POST /sign). Only the configured hub origin is
// served cross-origin; no certificate or key ever leaves memory except the one certificate sent back.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CitizenCard, DemoCa } from '../ca/index.ts';
import { cardLabel } from './card-label.ts';
import { slotsPage } from './page.ts';
import { NONCE_SHAPE, signWithCard } from './sign-nonce.ts';

export interface SignerOptions {
  port: number;
  /** Default 127.0.0.1; the signer is meant for loopback only. */
  host?: string;
  /** The one origin whose pages may use the signer, e.g. http://localhost:3000. */
  hubOrigin: string;
  ca: DemoCa;
}

export interface RunningSigner {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 4096;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

class SignerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new SignerError(415, 'unsupported_media_type', 'Send application/json.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new SignerError(413, 'payload_too_large', 'Request body too large.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new SignerError(400, 'invalid_request', 'Body is not JSON.');
  }
}

function field(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string') throw new SignerError(400, 'invalid_request', `${name} is required.`);
  return value;
}

export async function startSigner(options: SignerOptions): Promise<RunningSigner> {
  const hubOrigin = new URL(options.hubOrigin).origin;
  const host = options.host ?? '127.0.0.1';
  const { ca } = options;
  const cards = [...ca.cards.values()];
  const byId = new Map<string, CitizenCard>(cards.map((card) => [card.id, card]));
  let port = options.port;

  /** Refuses requests through another host name (DNS rebinding) and from pages of any origin but the hub's. */
  function checkCaller(req: IncomingMessage, res: ServerResponse): void {
    const hostHeader = req.headers.host ?? '';
    const name = hostHeader.replace(/:\d+$/, '');
    if (hostHeader !== `${name}:${port}` || !(LOOPBACK_NAMES.has(name) || name === host)) {
      throw new SignerError(421, 'wrong_host', 'Use the signer through its loopback address.');
    }
    const origin = req.headers.origin;
    if (origin === undefined) return;
    if (origin !== hubOrigin) throw new SignerError(403, 'origin_refused', 'This signer only serves the configured hub.');
    res.setHeader('Access-Control-Allow-Origin', hubOrigin);
    res.setHeader('Vary', 'Origin');
  }

  function preflight(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.origin !== hubOrigin) throw new SignerError(403, 'origin_refused', 'This signer only serves the configured hub.');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    // Chrome's Private Network Access: a public hub page calling a loopback helper must be allowed explicitly.
    if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
    res.writeHead(204).end();
  }

  async function sign(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    if (field(body, 'origin') !== hubOrigin) throw new SignerError(403, 'origin_refused', 'This signer only signs for the configured hub.');
    const card = byId.get(field(body, 'certificateId'));
    if (!card) throw new SignerError(404, 'unknown_certificate', 'No card in that slot.');
    const nonce = field(body, 'nonce');
    if (!NONCE_SHAPE.test(nonce)) throw new SignerError(400, 'invalid_request', 'nonce is not a sign-in challenge.');
    sendJson(res, 200, await signWithCard(ca, card, nonce));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkCaller(req, res);
    const path = new URL(req.url ?? '/', 'http://signer').pathname;
    const route = `${req.method} ${path}`;
    if (req.method === 'OPTIONS' && (path === '/certificates' || path === '/sign')) return preflight(req, res);
    if (route === 'GET /') return send(res, 200, 'text/html; charset=utf-8', slotsPage(cards, hubOrigin));
    if (route === 'GET /certificates')
      return sendJson(
        res,
        200,
        cards.map((card) => ({ id: card.id, label: cardLabel(card) })),
      );
    if (route === 'POST /sign') return sign(req, res);
    if (path === '/' || path === '/certificates' || path === '/sign') throw new SignerError(405, 'method_not_allowed', 'Method not allowed.');
    throw new SignerError(404, 'not_found', 'Not found.');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof SignerError) return sendJson(res, error.status, { error: error.code, message: error.message });
      sendJson(res, 500, { error: 'internal_error', message: 'The signer failed.' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
