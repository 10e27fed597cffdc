// Test fixtures: a fake hub (its own ES256 key served from a tiny JWKS server) and a provider on an ephemeral port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { newTransactionId, PROVIDER_API, signRequestToken, type Problem } from '@openmydata/protocol';
import { createProvider, type DatasetHandler, type ListeningProvider, type Provider, type ProviderOptions } from '../src/index.ts';

/** Textbook-valid IDs (checksum correct), used only as synthetic test subjects. */
export const SUBJECT = 'A123456789';
export const OTHER_SUBJECT = 'B120863158';
export const BAD_CHECKSUM_SUBJECT = 'A123456788';
export const AGENCY = { id: 'moi-household', name: { 'zh-TW': '內政部戶政司', en: 'Department of Household Registration' } };

export interface TokenInput {
  subject?: string;
  dataset?: string;
  consentId?: string;
  purpose?: string;
  transactionId?: string;
  audience?: string;
  lifetimeSeconds?: number;
  now?: Date;
}

/** How the fake hub's JWKS endpoint answers: its keys, or one of the ways a key fetch fails. */
export type JwksAnswer = 'keys' | 'status-500' | 'not-json' | 'gone';

export interface FakeHub {
  issuer: string;
  jwksUrl: string;
  sign(input?: TokenInput): Promise<string>;
  /** A complete, valid claim set for input (iat = now), for tests that change one claim. */
  claims(input?: TokenInput): Record<string, unknown>;
  /** Signs exactly this payload with the hub key; the header is alg, kid and typ unless overridden. */
  signPayload(payload: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** Same claims, signed by a key the hub never published. */
  signWithStrangerKey(input?: TokenInput): Promise<string>;
  /** Raw JWT with free exp/iat, for lifetime tests. */
  signRaw(claims: Record<string, unknown>, iat: number, exp: number): Promise<string>;
  close(): Promise<void>;
}

export async function startFakeHub(options: { jwks?: JwksAnswer } = {}): Promise<FakeHub> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('ES256');
  const kid = 'hub-key-1';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  const answer = options.jwks ?? 'keys';
  const server = createServer((req, res) => {
    if (req.url === PROVIDER_API.jwksPath && answer === 'keys') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(jwks));
    } else if (req.url === PROVIDER_API.jwksPath && answer === 'status-500') {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('down');
    } else if (req.url === PROVIDER_API.jwksPath && answer === 'not-json') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>maintenance</html>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // 'gone': the address of a hub whose key server has stopped, so the connection is refused.
  if (answer === 'gone') await new Promise<void>((resolve) => server.close(() => resolve()));
  const issuer = 'https://hub.test.openmydata';
  const tokenInput = (input: TokenInput) => ({
    issuer,
    audience: input.audience ?? AGENCY.id,
    subject: input.subject ?? SUBJECT,
    dataset: input.dataset ?? 'household',
    consentId: input.consentId ?? 'consent-0001',
    purpose: input.purpose ?? 'Download for the person',
    transactionId: input.transactionId ?? newTransactionId(),
    ...(input.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: input.lifetimeSeconds }),
    ...(input.now === undefined ? {} : { now: input.now }),
  });
  return {
    issuer,
    jwksUrl: `http://127.0.0.1:${port}${PROVIDER_API.jwksPath}`,
    sign: (input = {}) => signRequestToken(tokenInput(input), { privateKey, kid }),
    claims: (input = {}) => {
      const t = tokenInput(input);
      const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
      return {
        iss: t.issuer,
        aud: t.audience,
        sub: t.subject,
        jti: newTransactionId(),
        iat,
        exp: iat + (input.lifetimeSeconds ?? 30),
        dataset: t.dataset,
        consent_id: t.consentId,
        purpose: t.purpose,
        txn: t.transactionId,
      };
    },
    signPayload: (payload, header = {}) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: PROVIDER_API.requestJwtType, ...header }).sign(privateKey),
    signWithStrangerKey: (input = {}) => signRequestToken(tokenInput(input), { privateKey: stranger.privateKey, kid: 'stranger-key' }),
    signRaw: (claims, iat, exp) => signRawToken(privateKey, kid, issuer, claims, iat, exp),
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function signRawToken(privateKey: CryptoKey, kid: string, issuer: string, claims: Record<string, unknown>, iat: number, exp: number): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid, typ: PROVIDER_API.requestJwtType })
    .setIssuer(issuer)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(privateKey);
}

export const householdDataset = (overrides: Partial<DatasetHandler> = {}): DatasetHandler => ({
  id: 'household',
  name: { 'zh-TW': '戶籍資料', en: 'Household registration' },
  fields: [
    { id: 'name', name: { 'zh-TW': '姓名', en: 'Name' }, type: 'string' },
    { id: 'birth_date', name: { 'zh-TW': '出生日期', en: 'Date of birth' }, type: 'date' },
    { id: 'members', name: { 'zh-TW': '戶內人口數', en: 'Household members' }, type: 'number' },
    { id: 'head', name: { 'zh-TW': '是否為戶長', en: 'Head of household' }, type: 'boolean' },
  ],
  fetch: (subject) => (subject === SUBJECT ? { records: [{ name: '測試人員', birth_date: '1990-05-17', members: 3, head: true }] } : null),
  ...overrides,
});

export interface Harness {
  hub: FakeHub;
  provider: Provider;
  server: ListeningProvider;
  url: string;
  logs: Array<{ level: string; obj: object; msg?: string }>;
  post(token?: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<ProviderOptions> = {}, hubOptions: { jwks?: JwksAnswer } = {}): Promise<Harness> {
  const hub = await startFakeHub(hubOptions);
  const logs: Harness['logs'] = [];
  const record =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push(msg === undefined ? { level, obj } : { level, obj, msg });
    };
  const provider = createProvider({
    agency: AGENCY,
    datasets: [householdDataset()],
    hub: { issuer: hub.issuer, jwksUrl: hub.jwksUrl },
    logger: { info: record('info'), warn: record('warn'), error: record('error') },
    ...options,
  });
  const server = await provider.listen(0, '127.0.0.1');
  return {
    hub,
    provider,
    server,
    url: server.url,
    logs,
    post: (token, init = {}) =>
      fetch(`${server.url}${PROVIDER_API.packagePath}`, {
        method: 'POST',
        ...init,
        headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...(init.headers as Record<string, string> | undefined) },
      }),
    close: async () => {
      await server.close();
      await hub.close();
    },
  };
}

export async function readProblem(response: Response): Promise<{ problem: Problem; text: string }> {
  const text = await response.text();
  return { problem: JSON.parse(text) as Problem, text };
}

/** A mutable clock for tests that move time. */
export function testClock(start: Date): { now: () => Date; advance(seconds: number): void; set(at: Date): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (seconds) => {
      current += seconds * 1000;
    },
    set: (at) => {
      current = at.getTime();
    },
  };
}

/** A solid-colour RGB PNG, base64, built by hand so tests need no image library. */
export function solidPngBase64(width: number, height: number, rgb: [number, number, number]): string {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return png.toString('base64');
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
