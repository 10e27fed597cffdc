// Consent receipts: signed by the hub's consent-receipt key, verifiable with its published JWKS,
// with the fields of ISO/IEC TS 27560 / Kantara receipts and no personal data.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { type ConsentReceiptInput, signConsentReceipt, verifyConsentReceipt } from '../../src/ledger/consent-receipt.ts';
import { currentSigningKey, type HubSigningKey, publishedJwks } from '../../src/keys/hub-keys.ts';
import { openTestLedger, type TestLedger } from './fixtures/open-ledger.ts';

const ISSUER = 'http://localhost:3000';
let t: TestLedger;
let key: HubSigningKey;
let input: ConsentReceiptInput;

before(async () => {
  t = await openTestLedger();
  key = await currentSigningKey(t.db, t.secret, 'consent-receipt');
  input = {
    consentId: 'consent-7f3a',
    subjectKey: t.subjectKey('A123456789'),
    controller: { id: 'svc-low-income', name: { en: 'Taipei City low-income subsidy', 'zh-TW': '臺北市低收入戶補助' } },
    purposes: ['申請低收入戶補助'],
    datasets: [
      { id: 'household-personal', category: 'household' },
      { id: 'household-members', category: 'household' },
      { id: 'income', category: 'tax' },
    ],
    consentedAt: new Date('2026-03-01T09:00:00Z'),
    expiresAt: new Date('2026-03-01T17:00:00Z'),
  };
});
after(async () => t.close());

test('a receipt is an ES256 JWT of type consent-receipt+jwt with the receipt fields', async () => {
  const { receiptId, jws } = await signConsentReceipt(input, key, ISSUER);
  const header = decodeProtectedHeader(jws);
  assert.deepEqual(header, { alg: 'ES256', kid: key.kid, typ: 'consent-receipt+jwt' });
  const receipt = await verifyConsentReceipt(jws, await publishedJwks(t.db), { issuer: ISSUER });
  assert.equal(receipt.jti, receiptId);
  assert.equal(receipt.iat, Date.parse('2026-03-01T09:00:00Z') / 1000);
  assert.equal(receipt.sub, input.subjectKey, 'the subject pseudonym');
  assert.deepEqual(receipt.controller, input.controller, 'controller = the recipient');
  assert.deepEqual(receipt.purposes, ['申請低收入戶補助']);
  assert.deepEqual(receipt.data_categories, ['household', 'tax']);
  assert.deepEqual(receipt.datasets, ['household-personal', 'household-members', 'income']);
  assert.equal(receipt.one_time_use, true);
  assert.equal(receipt.expires_at, Date.parse('2026-03-01T17:00:00Z') / 1000);
  assert.equal(receipt.jurisdiction, 'TW');
  assert.doesNotMatch(JSON.stringify(decodeJwt(jws)), /A123456789|王小明/);
});

test('a receipt stays verifiable after the consent lapsed (expiry is a field, not exp)', async () => {
  const { jws } = await signConsentReceipt(
    { ...input, consentedAt: new Date('2020-01-01T00:00:00Z'), expiresAt: new Date('2020-01-01T08:00:00Z') },
    key,
    ISSUER,
  );
  assert.equal(decodeJwt(jws).exp, undefined);
  assert.equal((await verifyConsentReceipt(jws, await publishedJwks(t.db), { issuer: ISSUER })).consent_id, 'consent-7f3a');
});

test('forged, altered or foreign receipts are refused', async () => {
  const jwks = await publishedJwks(t.db);
  const { jws } = await signConsentReceipt(input, key, ISSUER);
  const [h, p, s] = jws.split('.');
  const altered = Buffer.from(JSON.stringify({ ...decodeJwt(jws), datasets: ['everything'] })).toString('base64url');
  await assert.rejects(verifyConsentReceipt(`${h}.${altered}.${s}`, jwks, { issuer: ISSUER }), { name: 'ConsentReceiptError' });
  await assert.rejects(verifyConsentReceipt(`${h}.${p}.${s}`, jwks, { issuer: 'https://elsewhere.example' }), { name: 'ConsentReceiptError' });
  const stranger = await generateKeyPair('ES256');
  const foreign = await new SignJWT(decodeJwt(jws)).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'consent-receipt+jwt' }).sign(stranger.privateKey);
  await assert.rejects(verifyConsentReceipt(foreign, jwks, { issuer: ISSUER }), { name: 'ConsentReceiptError' });
  const otherType = await new SignJWT(decodeJwt(jws)).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  await assert.rejects(verifyConsentReceipt(otherType, jwks, { issuer: ISSUER }), { name: 'ConsentReceiptError' });
});

test('a receipt refuses a national ID where a pseudonym or text belongs', async () => {
  await assert.rejects(signConsentReceipt({ ...input, subjectKey: 'A123456789' }, key, ISSUER));
  await assert.rejects(signConsentReceipt({ ...input, purposes: ['for A123456789'] }, key, ISSUER));
  await assert.rejects(signConsentReceipt({ ...input, expiresAt: input.consentedAt }, key, ISSUER));
});
