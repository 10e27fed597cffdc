import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import { newTransactionId, PACKAGE_PATHS, PROVIDER_API, verifyPackage, type PackageData } from '@openmydata/protocol';
import { PROBLEM_TYPE_PREFIX } from '../src/index.ts';
import { AGENCY, BAD_CHECKSUM_SUBJECT, householdDataset, OTHER_SUBJECT, readProblem, startHarness, SUBJECT, type Harness } from './fixtures.ts';

describe('POST /v1/packages', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      datasets: [
        householdDataset(),
        householdDataset({
          id: 'broken',
          fetch: (subject) => {
            throw new Error(`database row for ${subject} is locked`);
          },
        }),
        householdDataset({ id: 'malformed', fetch: () => ({ records: [{ when: new Date() as unknown as string }] }) }),
      ],
    });
  });
  after(() => h.close());

  it('answers 200 with a signed package that verifies against the agency JWKS and holds the records', async () => {
    const transactionId = newTransactionId();
    const response = await h.post(await h.hub.sign({ transactionId, consentId: 'consent-42' }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), PROVIDER_API.packageMediaType);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const zip = Buffer.from(await response.arrayBuffer());
    const verified = await verifyPackage(zip, {
      keys: createRemoteJWKSet(new URL(`${h.url}${PROVIDER_API.jwksPath}`)),
      expect: { agency: AGENCY.id, dataset: 'household', transactionId, consentId: 'consent-42' },
    });
    assert.equal(verified.kid, h.provider.keyRing.current().kid);
    const data = JSON.parse((verified.files.get(PACKAGE_PATHS.data) as Buffer).toString('utf8')) as PackageData;
    assert.equal(data.agency, AGENCY.id);
    assert.equal(data.dataset, 'household');
    assert.deepEqual(data.records, [{ name: '測試人員', birth_date: '1990-05-17', members: 3, head: true }]);
    assert.equal(Number.isNaN(Date.parse(data.created_at)), false);
    const pdf = verified.files.get(PACKAGE_PATHS.pdf) as Buffer;
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.deepEqual(
      verified.manifest.files.map((f) => [f.path, f.media_type]),
      [
        ['data.json', 'application/json'],
        ['data.pdf', 'application/pdf'],
      ],
    );
  });

  it('answers 204 when the agency holds nothing about the subject', async () => {
    const response = await h.post(await h.hub.sign({ subject: OTHER_SUBJECT }));
    assert.equal(response.status, 204);
    assert.equal(await response.text(), '');
  });

  it('answers 401 token_missing without a bearer token', async () => {
    const response = await h.post(undefined);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    const { problem } = await readProblem(response);
    assert.equal(problem.code, 'token_missing');
    const basic = await h.post(undefined, { headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal((await readProblem(basic)).problem.code, 'token_missing');
  });

  it('answers problems as RFC 9457 problem+json with type, title, status, detail and code', async () => {
    const response = await h.post('not-a-jwt');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), PROVIDER_API.problemMediaType);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const { problem } = await readProblem(response);
    assert.deepEqual(Object.keys(problem).sort(), ['code', 'detail', 'status', 'title', 'type']);
    assert.equal(problem.type, `${PROBLEM_TYPE_PREFIX}token_invalid`);
    assert.equal(problem.status, 401);
  });

  it('answers 401 token_expired for an expired token', async () => {
    const token = await h.hub.sign({ now: new Date(Date.now() - 120_000), lifetimeSeconds: 30 });
    const response = await h.post(token);
    assert.equal(response.status, 401);
    assert.equal((await readProblem(response)).problem.code, 'token_expired');
  });

  it('answers 409 token_replayed when a token is used twice', async () => {
    const token = await h.hub.sign();
    assert.equal((await h.post(token)).status, 200);
    const again = await h.post(token);
    assert.equal(again.status, 409);
    assert.equal((await readProblem(again)).problem.code, 'token_replayed');
  });

  it('answers 401 token_wrong_audience for a token addressed to another agency', async () => {
    const response = await h.post(await h.hub.sign({ audience: 'another-agency' }));
    assert.equal(response.status, 401);
    assert.equal((await readProblem(response)).problem.code, 'token_wrong_audience');
  });

  it('answers 401 token_invalid for a token signed by a key the hub does not publish', async () => {
    const response = await h.post(await h.hub.signWithStrangerKey());
    assert.equal(response.status, 401);
    assert.equal((await readProblem(response)).problem.code, 'token_invalid');
  });

  it('answers 401 token_lifetime for a token living longer than 60 s', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const token = await h.hub.signRaw(
      { aud: AGENCY.id, sub: SUBJECT, jti: newTransactionId(), dataset: 'household', consent_id: 'c-1', purpose: 'p', txn: newTransactionId() },
      iat,
      iat + 3600,
    );
    const response = await h.post(token);
    assert.equal(response.status, 401);
    assert.equal((await readProblem(response)).problem.code, 'token_lifetime');
  });

  it('answers 404 dataset_unknown for a data set the agency does not serve', async () => {
    const response = await h.post(await h.hub.sign({ dataset: 'tax-income' }));
    assert.equal(response.status, 404);
    assert.equal((await readProblem(response)).problem.code, 'dataset_unknown');
  });

  it('answers 400 subject_invalid for a failing check digit, without the ID in the answer or the logs', async () => {
    const response = await h.post(await h.hub.sign({ subject: BAD_CHECKSUM_SUBJECT }));
    assert.equal(response.status, 400);
    const { problem, text } = await readProblem(response);
    assert.equal(problem.code, 'subject_invalid');
    assert.equal(text.includes(BAD_CHECKSUM_SUBJECT), false);
    assert.equal(JSON.stringify(h.logs).includes(BAD_CHECKSUM_SUBJECT), false);
  });

  it('answers 500 internal_error when the fetch throws, hiding the message and logging it without the subject', async () => {
    const response = await h.post(await h.hub.sign({ dataset: 'broken' }));
    assert.equal(response.status, 500);
    const { problem, text } = await readProblem(response);
    assert.equal(problem.code, 'internal_error');
    assert.equal(text.includes('locked'), false);
    assert.equal(text.includes(SUBJECT), false);
    const logged = h.logs.find((l) => l.level === 'error');
    assert.ok(logged, 'the error is logged');
    const line = JSON.stringify(logged);
    assert.match(line, /database row for \[subject\] is locked/);
    assert.equal(line.includes(SUBJECT), false);
  });

  it('answers 500 when the fetch returns values that are not JSON field values', async () => {
    const response = await h.post(await h.hub.sign({ dataset: 'malformed' }));
    assert.equal(response.status, 500);
    assert.equal((await readProblem(response)).problem.code, 'internal_error');
  });

  it('refuses a request body over 1 KiB with 413', async () => {
    const response = await h.post(await h.hub.sign(), { body: 'x'.repeat(4096) });
    assert.equal(response.status, 413);
    assert.equal((await readProblem(response)).problem.code, 'body_too_large');
  });

  it('refuses a streamed (chunked) body once it passes 1 KiB', async () => {
    const token = await h.hub.sign();
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${h.url}${PROVIDER_API.packagePath}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write('x'.repeat(600));
      setTimeout(() => req.end('y'.repeat(600)), 20);
    });
    assert.equal(status, 413);
    assert.equal((JSON.parse(body) as { code: string }).code, 'body_too_large');
  });

  it('reads and ignores a small body', async () => {
    const response = await h.post(await h.hub.sign(), { body: '{"ignored":true}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });

  it('never logs the subject or record values', () => {
    const all = JSON.stringify(h.logs);
    for (const secret of [SUBJECT, OTHER_SUBJECT, '測試人員', '1990-05-17']) assert.equal(all.includes(secret), false, secret);
    assert.ok(h.logs.some((l) => l.msg === 'package request' && (l.obj as { status?: number }).status === 200));
  });
});

describe('other routes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('serves the public JWKS with Cache-Control max-age=300', async () => {
    const response = await fetch(`${h.url}${PROVIDER_API.jwksPath}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('cache-control') ?? '', /max-age=300/);
    const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    const key = jwks.keys[0] as Record<string, unknown>;
    assert.equal(key.kid, h.provider.keyRing.current().kid);
    assert.equal(key.alg, 'ES256');
    assert.equal('d' in key, false, 'no private part is published');
    await createLocalJWKSet(jwks as never)({ alg: 'ES256', kid: key.kid as string });
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${h.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('answers 404 not_found elsewhere and 405 with Allow for a wrong method', async () => {
    const missing = await fetch(`${h.url}/v1/other`);
    assert.equal(missing.status, 404);
    assert.equal((await readProblem(missing)).problem.code, 'not_found');
    const wrong = await fetch(`${h.url}${PROVIDER_API.packagePath}`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    assert.equal((await readProblem(wrong)).problem.code, 'method_not_allowed');
  });

  it('answers 404, not 500, to a request target that does not parse', async () => {
    const { connect } = await import('node:net');
    const url = new URL(h.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.end('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (c) => {
        text += c.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 404/);
  });
});

describe('when the hub JWKS cannot be fetched', () => {
  it('answers 503 hub_keys_unavailable with Retry-After rather than blaming the token', async () => {
    const h = await startHarness();
    const token = await h.hub.sign();
    await h.hub.close(); // the hub's key server goes away before the provider ever fetched it
    try {
      const response = await h.post(token);
      assert.equal(response.status, 503);
      assert.ok(Number(response.headers.get('retry-after')) >= 1);
      assert.equal((await readProblem(response)).problem.code, 'hub_keys_unavailable');
      assert.ok(h.logs.some((l) => l.level === 'warn' && l.msg === 'hub keys unavailable'));
    } finally {
      await h.server.close();
    }
  });
});
