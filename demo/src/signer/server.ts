// The local signer: an HTTP server on 127.0.0.1 that the hub's sign-in page calls from the browser, like the
// card-reader helper citizens install. A real reader holds one card: the page asks which card is in it
// (GET /certificates: the inserted card only, as facts the page names in its own language) and asks for
// the hub's nonce to be signed with it (POST /sign). Which synthetic citizen's card is "in the reader" is
// chosen on the signer's own page (GET /, POST /insert) — the demo's stand-in for inserting a card. Only
// the configured hub origin is served cross-origin; no key ever leaves memory.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CitizenCard, DemoCa } from '../ca/index.ts';
import { maskNationalId, shortCardNumber } from './card-label.ts';
import { readerPage } from './page.ts';
import { NONCE_SHAPE, signWithCard } from './sign-nonce.ts';

export interface SignerOptions {
  port: number;
  /** Default 127.0.0.1; the signer is meant for loopback only. */
  host?: string;
  /** The one origin whose pages may use the signer, e.g. http://localhost:3000. */
  hubOrigin: string;
  ca: DemoCa;
  /** The national ID whose card is in the reader at start; null for an empty reader. Default: the first card. */
  inserted?: string | null;
}

export interface RunningSigner {
  url: string;
  /** Puts that citizen's card in the reader (undefined: takes the card out). */
  insert(nationalId: string | undefined): void;
  close(): Promise<void>;
}

/** What the sign-in page is told about a card: its short number, the masked ID, its expiry; no name. */
export interface CardFacts {
  id: string;
  number: string;
  holder: string;
  validTo: string;
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

async function readForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new SignerError(413, 'payload_too_large', 'Request body too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
  let inserted: CitizenCard | undefined = options.inserted === null ? undefined : options.inserted !== undefined ? ca.cards.get(options.inserted) : cards[0];
  const facts = (card: CitizenCard): CardFacts => ({
    id: card.id,
    number: shortCardNumber(card),
    holder: maskNationalId(card.nationalId),
    validTo: card.certificate.notAfter.toISOString().slice(0, 10),
  });

  /** Refuses requests through another host name (DNS rebinding) and from pages of any origin but the hub's. */
  function checkCaller(req: IncomingMessage, res: ServerResponse): void {
    const hostHeader = req.headers.host ?? '';
    const name = hostHeader.replace(/:\d+$/, '');
    if (hostHeader !== `${name}:${port}` || !(LOOPBACK_NAMES.has(name) || name === host)) {
      throw new SignerError(421, 'wrong_host', 'Use the signer through its loopback address.');
    }
    const origin = req.headers.origin;
    if (origin === undefined) return;
    // The signer's own page may change the inserted card; every other origin but the hub's is refused.
    if (origin === `http://${hostHeader}` && new URL(req.url ?? '/', 'http://signer').pathname === '/insert') return;
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
    if (!card || card !== inserted) throw new SignerError(404, 'unknown_certificate', 'That card is not in the reader.');
    const nonce = field(body, 'nonce');
    if (!NONCE_SHAPE.test(nonce)) throw new SignerError(400, 'invalid_request', 'nonce is not a sign-in challenge.');
    sendJson(res, 200, await signWithCard(ca, card, nonce));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkCaller(req, res);
    const path = new URL(req.url ?? '/', 'http://signer').pathname;
    const route = `${req.method} ${path}`;
    if (req.method === 'OPTIONS' && (path === '/certificates' || path === '/sign')) return preflight(req, res);
    if (route === 'GET /') return send(res, 200, 'text/html; charset=utf-8', readerPage(cards, inserted, hubOrigin));
    if (route === 'GET /certificates') return sendJson(res, 200, inserted ? [facts(inserted)] : []);
    if (route === 'POST /insert') {
      const chosen = new URLSearchParams(await readForm(req)).get('card') ?? '';
      inserted = byId.get(chosen);
      res.writeHead(303, { Location: '/' }).end();
      return;
    }
    if (route === 'POST /sign') return sign(req, res);
    if (path === '/' || path === '/certificates' || path === '/sign' || path === '/insert')
      throw new SignerError(405, 'method_not_allowed', 'Method not allowed.');
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
    insert(nationalId) {
      inserted = nationalId === undefined ? undefined : ca.cards.get(nationalId);
      if (nationalId !== undefined && !inserted) throw new Error('the demo CA holds no card for that ID');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
