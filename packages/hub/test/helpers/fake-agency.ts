// A misbehaving agency for broker tests: a real HTTP server publishing a real JWKS, whose answers
// each test scripts (tampered packages, zip bombs, HTML error pages, hangs, ...).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assemblePackage, createZip, PACKAGE_PATHS, sha256Hex, signDetached } from '@openmydata/protocol';
import { decodeJwt, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface RequestInfo {
  count: number;
  claims: { sub: string; dataset: string; txn: string; consent_id: string; aud: string };
}

export type Answer = { status: number; headers?: Record<string, string>; body?: Buffer | string } | 'hang' | 'reset';
export type Behaviour = (info: RequestInfo) => Answer | Promise<Answer>;

export interface FakeAgency {
  id: string;
  url: string;
  kid: string;
  privateKey: CryptoKey;
  requests: number;
  behave(behaviour: Behaviour): void;
  close(): Promise<void>;
}

export async function startFakeAgency(id: string): Promise<FakeAgency> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = `${id}-key-1`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  let behaviour: Behaviour = () => ({ status: 500 });
  const agency: FakeAgency = {
    id,
    url: '',
    kid,
    privateKey,
    requests: 0,
    behave: (b) => {
      behaviour = b;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    agency.requests += 1;
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const claims = decodeJwt(token) as unknown as RequestInfo['claims'];
    const answer = await behaviour({ count: agency.requests, claims });
    if (answer === 'hang') return;
    if (answer === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  agency.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return agency;
}

export function zipAnswer(body: Buffer): Answer {
  return { status: 200, headers: { 'content-type': 'application/zip' }, body };
}

const RECORDS = { records: [{ value: 'synthetic' }] };

/** A correct package for the request, signed by the agency's key. */
export async function goodPackage(agency: FakeAgency, info: RequestInfo, records: unknown = RECORDS): Promise<Buffer> {
  return assemblePackage(
    [
      {
        path: PACKAGE_PATHS.data,
        data: Buffer.from(JSON.stringify({ agency: agency.id, dataset: info.claims.dataset, created_at: new Date().toISOString(), ...(records as object) })),
        mediaType: 'application/json',
      },
      { path: PACKAGE_PATHS.pdf, data: Buffer.from('%PDF-1.7 fake'), mediaType: 'application/pdf', compress: false },
    ],
    { agency: agency.id, dataset: info.claims.dataset, transactionId: info.claims.txn, consentId: info.claims.consent_id },
    { privateKey: agency.privateKey, kid: agency.kid },
  );
}

/** A package assembled by hand so tests can break any one part of it. */
export async function craftedPackage(
  agency: FakeAgency,
  info: RequestInfo,
  options: {
    data?: Buffer;
    extraEntries?: Array<{ name: string; data: Buffer }>;
    signWith?: { privateKey: CryptoKey; kid: string };
    editManifestAfterSigning?: (manifest: string) => string;
    rawEntries?: (entries: Array<{ name: string; data: Buffer }>) => Buffer;
  } = {},
): Promise<Buffer> {
  const data = Buffer.from(JSON.stringify({ agency: agency.id, dataset: info.claims.dataset, created_at: new Date().toISOString(), ...RECORDS }));
  const pdf = Buffer.from('%PDF-1.7 fake');
  const manifest = JSON.stringify({
    version: 1,
    agency: agency.id,
    dataset: info.claims.dataset,
    transaction_id: info.claims.txn,
    consent_id: info.claims.consent_id,
    created_at: new Date().toISOString(),
    files: [
      { path: PACKAGE_PATHS.data, sha256: sha256Hex(data), size: data.length, media_type: 'application/json' },
      { path: PACKAGE_PATHS.pdf, sha256: sha256Hex(pdf), size: pdf.length, media_type: 'application/pdf' },
    ],
  });
  const key = options.signWith ?? { privateKey: agency.privateKey, kid: agency.kid };
  const signature = await signDetached(Buffer.from(manifest), key.privateKey, key.kid);
  const finalManifest = options.editManifestAfterSigning ? options.editManifestAfterSigning(manifest) : manifest;
  const entries = [
    { name: PACKAGE_PATHS.data, data: options.data ?? data },
    { name: PACKAGE_PATHS.pdf, data: pdf },
    { name: PACKAGE_PATHS.manifest, data: Buffer.from(finalManifest) },
    { name: PACKAGE_PATHS.signature, data: Buffer.from(signature) },
    ...(options.extraEntries ?? []),
  ];
  return options.rawEntries ? options.rawEntries(entries) : createZip(entries);
}
