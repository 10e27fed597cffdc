// Conformance with docs/provider-api.md, one describe per section, for the points the document
// settles that an implementer could otherwise have guessed. The agency side is the SDK over real
// HTTP; the hub side (what a package may look like) is verifyPackage, which the hub runs.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type CryptoKey, createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  createZip,
  newTransactionId,
  PACKAGE_PATHS,
  PROVIDER_API,
  REQUIRED_REQUEST_CLAIMS,
  sha256Hex,
  signDetached,
  verifyPackage,
  type KeyResolver,
  type PackageData,
} from '@openmydata/protocol';
import { buildRawZip, FLAG_UTF8, rawEntry } from '../../protocol/test/helpers/raw-zip.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_CATALOGUE, type ReplayStore } from '../src/index.ts';
import { AGENCY, householdDataset, readProblem, startHarness, type Harness } from './fixtures.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function codeOf(response: Response): Promise<string> {
  return (await readProblem(response)).problem.code;
}

describe('§3 the request: the body is read, and a large one refused, before any check of section 5', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('answers 413 body_too_large to a body over 1 KiB even without a token (step 0 comes before step 1)', async () => {
    const response = await h.post(undefined, { body: 'x'.repeat(PROVIDER_API.maxRequestBodyBytes + 1) });
    assert.equal(response.status, 413);
    assert.equal(await codeOf(response), 'body_too_large');
  });

  it('reads and ignores a body of exactly 1 KiB', async () => {
    const response = await h.post(await h.hub.sign(), { body: 'x'.repeat(PROVIDER_API.maxRequestBodyBytes) });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });
});

describe('§4.2 and §5 step 2: the request JWT', () => {
  let h: Harness;
  let replays: Array<{ jti: string; expiresAt: Date; at: number }>;
  before(async () => {
    replays = [];
    const recording: ReplayStore = {
      remember: (jti, expiresAt) => {
        replays.push({ jti, expiresAt, at: Date.now() });
        return true;
      },
    };
    h = await startHarness({ replayStore: recording });
  });
  after(() => h.close());

  it('requires all ten claims: leaving out any one is 401 token_claims (aud included)', async () => {
    assert.deepEqual([...REQUIRED_REQUEST_CLAIMS].sort(), ['aud', 'consent_id', 'dataset', 'exp', 'iat', 'iss', 'jti', 'purpose', 'sub', 'txn']);
    for (const claim of REQUIRED_REQUEST_CLAIMS) {
      const claims = h.hub.claims();
      delete claims[claim];
      const response = await h.post(await h.hub.signPayload(claims));
      assert.equal(response.status, 401, claim);
      assert.equal(await codeOf(response), 'token_claims', claim);
    }
  });

  it('takes nbf as optional, and ignores claims it does not know', async () => {
    const response = await h.post(await h.hub.signPayload({ ...h.hub.claims(), nbf: nowSeconds(), extension: { any: 'thing' } }));
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });

  it('2a: a kid the hub JWKS (fetched fine) does not hold is 401 token_invalid', async () => {
    const response = await h.post(await h.hub.signWithStrangerKey());
    assert.equal(response.status, 401);
    assert.equal(await codeOf(response), 'token_invalid');
  });

  it('2c: a typ other than omd-request+jwt, or none, is 401 token_invalid; case and an application/ prefix do not matter', async () => {
    for (const typ of ['JWT', 'omd-manifest+jws', undefined]) {
      const response = await h.post(await h.hub.signPayload(h.hub.claims(), { typ }));
      assert.equal(await codeOf(response), 'token_invalid', String(typ));
    }
    for (const typ of ['OMD-Request+JWT', 'application/omd-request+jwt']) {
      const response = await h.post(await h.hub.signPayload(h.hub.claims(), { typ }));
      assert.equal(response.status, 200, typ);
      await response.arrayBuffer();
    }
  });

  it('2d: an aud that is an array is 401 token_claims, even when it names this agency alone', async () => {
    for (const aud of [[AGENCY.id], [AGENCY.id, 'mof-tax'], ['mof-tax']]) {
      const response = await h.post(await h.hub.signPayload({ ...h.hub.claims(), aud }));
      assert.equal(await codeOf(response), 'token_claims', JSON.stringify(aud));
    }
  });

  it('2e: iss must equal the configured issuer exactly: a trailing slash or other case is 401 token_claims', async () => {
    for (const iss of [`${h.hub.issuer}/`, h.hub.issuer.toUpperCase(), h.hub.issuer.replace('https:', 'http:')]) {
      const response = await h.post(await h.hub.signPayload({ ...h.hub.claims(), iss }));
      assert.equal(await codeOf(response), 'token_claims', iss);
    }
  });

  it('2f: an aud string naming another agency is 401 token_wrong_audience', async () => {
    const response = await h.post(await h.hub.signPayload({ ...h.hub.claims(), aud: 'mof-tax' }));
    assert.equal(await codeOf(response), 'token_wrong_audience');
  });

  it('2h: an iat further in the future than the clock tolerance (5 s) is 401 token_claims, and is not remembered', async () => {
    const before = replays.length;
    const iat = nowSeconds() + 3600;
    const response = await h.post(await h.hub.signPayload({ ...h.hub.claims(), iat, exp: iat + 60 }));
    assert.equal(await codeOf(response), 'token_claims');
    assert.equal(replays.length, before, 'a refused token costs no replay memory');
    const slightlyAhead = nowSeconds() + 2;
    const skewed = await h.post(await h.hub.signPayload({ ...h.hub.claims(), iat: slightlyAhead, exp: slightlyAhead + 30 }));
    assert.equal(skewed.status, 200, 'a hub clock 2 s ahead is within the tolerance');
    await skewed.arrayBuffer();
  });

  it('2i: exp − iat over 60 s, or not above 0, is 401 token_lifetime', async () => {
    const iat = nowSeconds();
    for (const exp of [iat + 61, iat]) {
      const response = await h.post(await h.hub.signPayload({ ...h.hub.claims(), iat, exp }));
      assert.equal(await codeOf(response), 'token_lifetime', String(exp - iat));
    }
  });

  it('3: a jti is remembered for at most 60 s + twice the tolerance, so replay memory is bounded', async () => {
    // The longest-lived token an agency can accept: iat at the edge of the tolerance, 60 s lifetime.
    const iat = nowSeconds() + PROVIDER_API.defaultClockToleranceSeconds;
    const claims: Record<string, unknown> = { ...h.hub.claims(), iat, exp: iat + PROVIDER_API.maxRequestLifetimeSeconds };
    const response = await h.post(await h.hub.signPayload(claims));
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const remembered = replays.find((r) => r.jti === claims.jti);
    assert.ok(remembered);
    const bound = PROVIDER_API.maxRequestLifetimeSeconds + 2 * PROVIDER_API.defaultClockToleranceSeconds + 1;
    assert.ok(remembered.expiresAt.getTime() - remembered.at <= bound * 1000, `kept ${(remembered.expiresAt.getTime() - remembered.at) / 1000} s`);
  });
});

describe('§5 step 2b: hub keys that cannot be fetched are one answer, 503 hub_keys_unavailable + Retry-After: 5', () => {
  for (const jwks of ['status-500', 'not-json', 'gone'] as const) {
    it(`when the hub JWKS ${jwks === 'gone' ? 'refuses the connection' : jwks === 'not-json' ? 'is not JSON' : 'answers 500'}`, async () => {
      const h = await startHarness({}, { jwks });
      try {
        const response = await h.post(await h.hub.sign());
        assert.equal(response.status, 503);
        assert.equal(response.headers.get('retry-after'), String(PROVIDER_API.hubKeysRetryAfterSeconds));
        assert.equal(await codeOf(response), 'hub_keys_unavailable');
      } finally {
        await h.close();
      }
    });
  }
});

describe('§6 and §7: Retry-After and retries of a transaction', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      datasets: [householdDataset(), householdDataset({ id: 'quick-prepare', preparationSeconds: 0.3 })],
      maintenance: [],
    });
  });
  after(() => h.close());

  it('sends Retry-After as whole seconds, at least 1, even when less than a second remains', async () => {
    const response = await h.post(await h.hub.sign({ dataset: 'quick-prepare' }));
    assert.equal(response.status, 202);
    assert.equal(response.headers.get('retry-after'), String(PROVIDER_API.minRetryAfterSeconds));
    assert.deepEqual(await response.json(), { status: 'preparing', retry_after: 1 });
  });

  it('answers a retry of a transaction it already answered at once with a package for that same transaction', async () => {
    const transactionId = newTransactionId();
    const keys = createLocalJWKSet(h.provider.keyRing.jwks());
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await h.post(await h.hub.sign({ transactionId }));
      assert.equal(response.status, 200);
      const verified = await verifyPackage(Buffer.from(await response.arrayBuffer()), { keys, expect: { agency: AGENCY.id, transactionId } });
      assert.equal(verified.manifest.transaction_id, transactionId);
    }
  });

  it('hands a prepared package out again, the same bytes, to a retry of its transaction (re-delivery window, 300 s by default)', async () => {
    const transactionId = newTransactionId();
    let response = await h.post(await h.hub.sign({ dataset: 'quick-prepare', transactionId }));
    const deadline = Date.now() + 20_000;
    while (response.status === 202 && Date.now() < deadline) {
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await h.post(await h.hub.sign({ dataset: 'quick-prepare', transactionId }));
    }
    assert.equal(response.status, 200);
    const first = Buffer.from(await response.arrayBuffer());
    const retry = await h.post(await h.hub.sign({ dataset: 'quick-prepare', transactionId }));
    assert.equal(retry.status, 200);
    assert.deepEqual(Buffer.from(await retry.arrayBuffer()), first);
    assert.equal(PROVIDER_API.redeliverySeconds, 300);
  });
});

describe('§6 maintenance: Retry-After is whole seconds, at least 1', () => {
  it('rounds up the seconds until the window ends', async () => {
    const h = await startHarness({
      maintenance: [
        { start: '00:00', end: '12:00' },
        { start: '12:00', end: '00:00' },
      ],
    });
    try {
      const response = await h.post(await h.hub.sign());
      assert.equal(response.status, 503);
      assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.equal(await codeOf(response), 'under_maintenance');
    } finally {
      await h.close();
    }
  });
});

describe('§6.1: the problem codes the SDK answers with are the documented ones', () => {
  it('has the same codes and statuses as the table in docs/provider-api.md', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/provider-api.md'), 'utf8');
    const table = doc.slice(doc.indexOf('### 6.1 Problem documents'), doc.indexOf('### 6.2'));
    const documented = [...table.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const implemented = Object.entries(PROBLEM_CATALOGUE).map(([code, entry]) => [code, entry.status]);
    assert.deepEqual(documented.sort(), implemented.sort());
  });
});

/** Entry names and general-purpose flags, in archive order, from the central directory. */
function centralEntries(zip: Buffer): Array<{ name: string; flags: number }> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const entries: Array<{ name: string; flags: number }> = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(p + 28);
    const extra = zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    entries.push({ flags: zip.readUInt16LE(p + 8), name: zip.subarray(p + 46, p + 46 + nameLength).toString('utf8') });
    p += 46 + nameLength + extra;
  }
  return entries;
}

describe('§8 and §9: what the agency sends', () => {
  let h: Harness;
  let zip: Buffer;
  let transactionId: string;
  before(async () => {
    h = await startHarness();
    transactionId = newTransactionId();
    const response = await h.post(await h.hub.sign({ transactionId }));
    assert.equal(response.status, 200);
    zip = Buffer.from(await response.arrayBuffer());
  });
  after(() => h.close());

  it('writes data.json, data.pdf, then the two META-INF entries, and lists files in the manifest in archive order', async () => {
    assert.deepEqual(
      centralEntries(zip).map((e) => e.name),
      [PACKAGE_PATHS.data, PACKAGE_PATHS.pdf, PACKAGE_PATHS.manifest, PACKAGE_PATHS.signature],
    );
    const { manifest } = await verifyPackage(zip, { keys: createLocalJWKSet(h.provider.keyRing.jwks()) });
    assert.deepEqual(
      manifest.files.map((f) => f.path),
      [PACKAGE_PATHS.data, PACKAGE_PATHS.pdf],
    );
  });

  it('sets the UTF-8 flag (bit 11) on every entry, ASCII names included', () => {
    for (const entry of centralEntries(zip)) assert.equal(entry.flags & FLAG_UTF8, FLAG_UTF8, entry.name);
  });

  it('writes the same agency, dataset and created_at in data.json as in the manifest', async () => {
    const { manifest, files } = await verifyPackage(zip, { keys: createLocalJWKSet(h.provider.keyRing.jwks()) });
    const data = JSON.parse((files.get(PACKAGE_PATHS.data) as Buffer).toString('utf8')) as PackageData;
    assert.equal(data.created_at, manifest.created_at);
    assert.equal(data.agency, manifest.agency);
    assert.equal(data.dataset, manifest.dataset);
  });

  it('serves its JWKS as application/json with public keys only', async () => {
    const response = await fetch(`${h.url}${PROVIDER_API.jwksPath}`);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const { keys } = (await response.json()) as { keys: JWK[] };
    for (const key of keys) {
      assert.equal(key.alg, 'ES256');
      assert.equal(key.crv, 'P-256');
      assert.equal('d' in key, false);
    }
  });
});

describe('§8, §9 and §11: what the hub accepts from an agency', () => {
  let key: { privateKey: CryptoKey; kid: string };
  let jwks: { keys: JWK[] };
  const meta = { agency: AGENCY.id, dataset: 'household', transaction_id: 'txn-0123456789abcdef', consent_id: 'consent-1' };
  const data = Buffer.from(JSON.stringify({ agency: AGENCY.id, dataset: 'household', created_at: '2025-03-01T08:30:05.000Z', records: [] }));
  const pdf = Buffer.from('%PDF-1.7 placeholder');

  before(async () => {
    const pair = await generateKeyPair('ES256');
    key = { privateKey: pair.privateKey, kid: 'agency-key-1' };
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: key.kid, alg: 'ES256', use: 'sig' }] };
  });

  const listed = (path: string, bytes: Buffer, mediaType: string) => ({ path, sha256: sha256Hex(bytes), size: bytes.length, media_type: mediaType });

  async function signedManifest(
    extra: Record<string, unknown> = {},
    files = [listed('data.json', data, 'application/json'), listed('data.pdf', pdf, 'application/pdf')],
  ) {
    const bytes = Buffer.from(JSON.stringify({ version: 1, ...meta, created_at: '2025-03-01T08:30:05.000Z', files, ...extra }));
    return { bytes, jws: Buffer.from(await signDetached(bytes, key.privateKey, key.kid)) };
  }

  const verify = (zip: Buffer, keys: KeyResolver = createLocalJWKSet(jwks)) =>
    verifyPackage(zip, { keys, expect: { agency: meta.agency, dataset: meta.dataset, transactionId: meta.transaction_id, consentId: meta.consent_id } });

  it('§8: entries in any order, with an annex listed in the manifest', async () => {
    const annex = Buffer.from('annex');
    const manifest = await signedManifest({}, [
      listed('annex/notes.txt', annex, 'text/plain'),
      listed('data.pdf', pdf, 'application/pdf'),
      listed('data.json', data, 'application/json'),
    ]);
    const zip = createZip([
      { name: PACKAGE_PATHS.signature, data: manifest.jws },
      { name: 'annex/notes.txt', data: annex },
      { name: PACKAGE_PATHS.manifest, data: manifest.bytes },
      { name: PACKAGE_PATHS.pdf, data: pdf },
      { name: PACKAGE_PATHS.data, data },
    ]);
    const verified = await verify(zip);
    assert.equal(verified.files.get('annex/notes.txt')?.toString(), 'annex');
  });

  it('§8.2: ignores manifest members it does not know, which the signature still covers', async () => {
    const manifest = await signedManifest({ generator: 'agency-exporter 2.1', files_note: 'x' });
    const zip = createZip([
      { name: PACKAGE_PATHS.data, data },
      { name: PACKAGE_PATHS.pdf, data: pdf },
      { name: PACKAGE_PATHS.manifest, data: manifest.bytes },
      { name: PACKAGE_PATHS.signature, data: manifest.jws },
    ]);
    const verified = await verify(zip);
    assert.equal('generator' in verified.manifest, false, 'unknown members are not passed on');
  });

  it('§9: accepts ASCII names without the UTF-8 flag, refuses non-ASCII names without it', async () => {
    const manifest = await signedManifest();
    const plain = (name: string, content: Buffer) => rawEntry(name, content, { flags: 0 });
    const ascii = buildRawZip([
      plain('data.json', data),
      plain('data.pdf', pdf),
      plain(PACKAGE_PATHS.manifest, manifest.bytes),
      plain(PACKAGE_PATHS.signature, manifest.jws),
    ]);
    await verify(ascii);
    const annex = Buffer.from('annex');
    const withAnnex = await signedManifest({}, [
      listed('data.json', data, 'application/json'),
      listed('data.pdf', pdf, 'application/pdf'),
      listed('附件.txt', annex, 'text/plain'),
    ]);
    const nonAscii = buildRawZip([
      plain('data.json', data),
      plain('data.pdf', pdf),
      plain('附件.txt', annex),
      plain(PACKAGE_PATHS.manifest, withAnnex.bytes),
      plain(PACKAGE_PATHS.signature, withAnnex.jws),
    ]);
    await assert.rejects(verify(nonAscii), { code: 'zip_unsupported' });
  });

  it('§11: reads the agency JWKS whatever its content type (application/json or application/jwk-set+json)', async () => {
    const manifest = await signedManifest();
    const zip = createZip([
      { name: PACKAGE_PATHS.data, data },
      { name: PACKAGE_PATHS.pdf, data: pdf },
      { name: PACKAGE_PATHS.manifest, data: manifest.bytes },
      { name: PACKAGE_PATHS.signature, data: manifest.jws },
    ]);
    for (const type of ['application/json', 'application/jwk-set+json']) {
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': type });
        res.end(JSON.stringify(jwks));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        await verify(zip, createRemoteJWKSet(new URL(`http://127.0.0.1:${port}${PROVIDER_API.jwksPath}`)));
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});
