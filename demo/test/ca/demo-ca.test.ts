// The demo CA: fast, one card per citizen with the ID where the hub reads it, a CRL revoking one non-persona,
// and trust material that carries no personal data.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createDemoCa, DEMO_ISSUING_CA_NAME, DEMO_ROOT_CA_NAME, type DemoCa, REVOKED_DEMO_CITIZEN } from '../../src/ca/index.ts';
import { CITIZENS, DEMO_PERSONAS } from '../../src/population/citizens.ts';
import { cardLabel, maskNationalId } from '../../src/signer/index.ts';

let ca: DemoCa;

before(async () => {
  const started = performance.now();
  ca = await createDemoCa();
  // Reported, not asserted: a loaded CI machine must not fail on speed (npm start shows it too).
  console.log(`# demo CA with ${CITIZENS.length} cards generated in ${Math.round(performance.now() - started)} ms`);
});

test('root and issuing CA are EC P-256 CAs with the documented names', () => {
  assert.equal(ca.root.subjectName.getField('CN')[0], DEMO_ROOT_CA_NAME);
  assert.equal(ca.issuing.subjectName.getField('CN')[0], DEMO_ISSUING_CA_NAME);
  assert.equal(ca.issuing.issuer, ca.root.subject);
  for (const cert of [ca.root, ca.issuing]) {
    assert.equal(cert.publicKey.algorithm.name, 'ECDSA');
    assert.equal((cert.publicKey.algorithm as { namedCurve?: string }).namedCurve, 'P-256');
  }
});

test('every citizen has a card whose subject serialNumber (2.5.4.5) is their national ID', async () => {
  assert.equal(ca.cards.size, CITIZENS.length);
  for (const citizen of CITIZENS) {
    const card = ca.cards.get(citizen.nationalId);
    assert.ok(card, citizen.nationalId);
    assert.deepEqual(card.certificate.subjectName.getField('2.5.4.5'), [citizen.nationalId]);
    assert.equal(card.id, card.certificate.serialNumber.toLowerCase());
    assert.equal(card.privateKey.extractable, false);
  }
  const wang = ca.cards.get('A123456789');
  assert.ok(wang && (await wang.certificate.verify({ publicKey: ca.issuing.publicKey, signatureOnly: true })));
});

test('the CRL is signed by the issuing CA and lists exactly the revoked citizen, who is not a persona', async () => {
  assert.ok(!DEMO_PERSONAS.some((p) => p.nationalId === REVOKED_DEMO_CITIZEN));
  assert.ok(CITIZENS.some((c) => c.nationalId === REVOKED_DEMO_CITIZEN));
  assert.ok(await ca.crl.verify({ publicKey: ca.issuing.publicKey }));
  assert.equal(ca.crl.issuer, ca.issuing.subject);
  const revoked = ca.cards.get(REVOKED_DEMO_CITIZEN);
  assert.ok(revoked && ca.crl.findRevoked(revoked.certificate));
  assert.equal(ca.crl.entries.length, 1);
  assert.ok((ca.crl.nextUpdate?.getTime() ?? 0) > Date.now() + 6 * 24 * 3600_000);
  assert.ok(await ca.rootCrl.verify({ publicKey: ca.root.publicKey }));
  assert.equal(ca.rootCrl.entries.length, 0);
});

test('trust material (what gets written to disk) holds no citizen ID or name', () => {
  const trust = ca.trustMaterial();
  const blobs = [trust.rootCaPem, trust.issuingCaPem, trust.issuingCrlPem, trust.rootCrlPem].map((t) => Buffer.from(t));
  blobs.push(Buffer.from(trust.issuingCrlDer), Buffer.from(trust.rootCrlDer));
  for (const citizen of CITIZENS) {
    for (const needle of [citizen.nationalId, citizen.name, citizen.romanisedName]) {
      for (const blob of blobs) assert.ok(!blob.includes(Buffer.from(needle)), 'trust material leaks a citizen');
    }
  }
});

test('card labels show a short card number and a masked ID only', () => {
  assert.equal(maskNationalId('A123456789'), 'A******789');
  for (const citizen of CITIZENS) {
    const label = cardLabel(ca.cards.get(citizen.nationalId) as NonNullable<ReturnType<typeof ca.cards.get>>);
    assert.match(label, /^Citizen card #[0-9A-F]{6} · [A-Z]\*{6}\d{3}$/);
    assert.ok(!label.includes(citizen.nationalId) && !label.includes(citizen.name) && !label.includes(citizen.romanisedName));
  }
});

test('two CAs never share keys (each start is random)', async () => {
  const other = await createDemoCa({ citizens: CITIZENS.slice(0, 1) });
  assert.notEqual(Buffer.from(other.root.publicKey.rawData).toString('hex'), Buffer.from(ca.root.publicKey.rawData).toString('hex'));
});
