// The local card signer over real HTTP: the reader holds one card, the page asks which, the signer signs the
// hub's nonce with it, and the hub's verifier accepts it. Other origins and other host names are refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createX509Verifier, type X509Verifier } from '@openmydata/hub';
import { type CitizenCard, createDemoCa, type DemoCa } from '../../src/ca/index.ts';
import { CITIZENS } from '../../src/population/citizens.ts';
import { type RunningSigner, type SignedChallenge, startSigner } from '../../src/signer/index.ts';

const HUB = 'http://localhost:3000';
const EVIL = 'http://evil.example';

let ca: DemoCa;
let signer: RunningSigner;
let verifier: X509Verifier;

before(async () => {
  ca = await createDemoCa();
  signer = await startSigner({ port: 0, hubOrigin: HUB, ca, inserted: 'A123456789' });
  const trust = ca.trustMaterial();
  verifier = createX509Verifier({ trustAnchorsPem: [trust.rootCaPem], crls: () => [trust.issuingCrlDer, trust.rootCrlDer] });
});

after(() => signer.close());

function call(path: string, init: RequestInit & { origin?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.origin) headers.set('Origin', init.origin);
  return fetch(`${signer.url}${path}`, { ...init, headers });
}

function signRequest(body: unknown, origin = HUB): Promise<Response> {
  return call('/sign', { method: 'POST', origin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function cardOf(nationalId: string): CitizenCard {
  const card = ca.cards.get(nationalId);
  assert.ok(card);
  return card;
}

describe('demo card signer', () => {
  test('listens on 127.0.0.1', () => {
    assert.match(signer.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('GET /certificates tells the page about the one card in the reader, masked, and CORS only for the hub', async () => {
    const res = await call('/certificates', { origin: HUB });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), HUB);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    const list = JSON.parse(text) as Array<{ id: string; number: string; holder: string; validTo: string }>;
    assert.equal(list.length, 1, 'a reader holds one card');
    assert.equal(list[0]?.id, cardOf('A123456789').id);
    assert.equal(list[0]?.holder, 'A******789');
    assert.match(list[0]?.validTo ?? '', /^\d{4}-\d{2}-\d{2}$/);
    for (const citizen of CITIZENS) {
      for (const needle of [citizen.nationalId, citizen.name, citizen.romanisedName]) assert.ok(!text.includes(needle), 'the list leaks a citizen');
    }
    signer.insert('B287654326');
    assert.equal(((await (await call('/certificates', { origin: HUB })).json()) as Array<{ holder: string }>)[0]?.holder, 'B******326');
    signer.insert(undefined);
    assert.deepEqual(await (await call('/certificates', { origin: HUB })).json(), [], 'an empty reader');
    signer.insert('A123456789');
  });

  test("the signer's own page puts another card in the reader; another origin cannot", async () => {
    const form = (card: string, origin: string) =>
      call('/insert', { method: 'POST', origin, redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `card=${card}` });
    assert.equal((await form(cardOf('B287654326').id, EVIL)).status, 403);
    const moved = await form(cardOf('B287654326').id, signer.url);
    assert.equal(moved.status, 303);
    assert.equal(((await (await call('/certificates', { origin: HUB })).json()) as Array<{ holder: string }>)[0]?.holder, 'B******326');
    assert.match(await (await call('/')).text(), /B\*{6}326/);
    signer.insert('A123456789');
  });

  test('POST /sign signs the nonce with the chosen card and the hub verifier accepts it at level 1', async () => {
    const { nonce, expiresAt } = verifier.issueChallenge();
    const res = await signRequest({ certificateId: cardOf('A123456789').id, nonce, origin: HUB });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), HUB);
    const signed = (await res.json()) as SignedChallenge;
    assert.equal(signed.chainPem.length, 1);
    const identity = await verifier.verify({ nonce, expiresAt, ...signed });
    assert.equal(identity.nationalId, 'A123456789');
    assert.equal(identity.level, 1);
    const notInReader = await signRequest({ certificateId: cardOf('B287654326').id, nonce, origin: HUB });
    assert.equal(notInReader.status, 404, 'only the card in the reader signs');
    signer.insert('B287654326');
    try {
      const lin = await signRequest({ certificateId: cardOf('B287654326').id, nonce, origin: HUB });
      assert.equal((await verifier.verify({ nonce, expiresAt, ...((await lin.json()) as SignedChallenge) })).nationalId, 'B287654326');
    } finally {
      signer.insert('A123456789');
    }
  });

  test('the CORS preflight is answered for the hub only', async () => {
    const ok = await call('/sign', {
      method: 'OPTIONS',
      origin: HUB,
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type', 'Access-Control-Request-Private-Network': 'true' },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), HUB);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Content-Type/i);
    assert.equal(ok.headers.get('access-control-allow-private-network'), 'true');
    const refused = await call('/sign', { method: 'OPTIONS', origin: EVIL, headers: { 'Access-Control-Request-Method': 'POST' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });

  test('a page from another origin is refused, for the list and for signing', async () => {
    const list = await call('/certificates', { origin: EVIL });
    assert.equal(list.status, 403);
    assert.equal(list.headers.get('access-control-allow-origin'), null);
    const { nonce } = verifier.issueChallenge();
    const sign = await signRequest({ certificateId: cardOf('A123456789').id, nonce, origin: EVIL }, EVIL);
    assert.equal(sign.status, 403);
    assert.equal(((await sign.json()) as { error: string }).error, 'origin_refused');
    // Claiming the hub in the body from another origin does not help, nor does naming another origin in the body.
    assert.equal((await signRequest({ certificateId: cardOf('A123456789').id, nonce, origin: HUB }, EVIL)).status, 403);
    assert.equal((await signRequest({ certificateId: cardOf('A123456789').id, nonce, origin: EVIL })).status, 403);
  });

  test('another host name (DNS rebinding) is refused', async () => {
    const { port } = new URL(signer.url);
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/certificates', headers: { Host: `evil.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 421);
  });

  test('only hub-shaped nonces are signed, only for existing cards, only as JSON', async () => {
    const id = cardOf('A123456789').id;
    const arbitrary = await signRequest({ certificateId: id, nonce: 'please sign this contract', origin: HUB });
    assert.equal(arbitrary.status, 400);
    const { nonce } = verifier.issueChallenge();
    assert.equal((await signRequest({ certificateId: 'ffff', nonce, origin: HUB })).status, 404);
    assert.equal((await signRequest({ nonce, origin: HUB })).status, 400);
    const form = await call('/sign', {
      method: 'POST',
      origin: HUB,
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ certificateId: id, nonce, origin: HUB }),
    });
    assert.equal(form.status, 415);
    const huge = await signRequest({ certificateId: id, nonce, origin: HUB, padding: 'x'.repeat(10_000) });
    assert.equal(huge.status, 413);
    assert.equal((await call('/sign', { origin: HUB })).status, 405);
    assert.equal((await call('/nope', { origin: HUB })).status, 404);
  });

  test('GET / shows the card slots for a person, without names or full IDs', async () => {
    const res = await call('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<html lang="zh-Hant-TW">/);
    assert.ok(html.includes('A******789'));
    for (const citizen of CITIZENS) {
      for (const needle of [citizen.nationalId, citizen.name, citizen.romanisedName]) assert.ok(!html.includes(needle), 'the page leaks a citizen');
    }
  });
});
