// The X.509 verifier against the demo CA: one test per way a sign-in must fail, and the ways it must succeed.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type CitizenCard, createDemoCa, type DemoCa, REVOKED_DEMO_CITIZEN } from '../../../../demo/src/ca/index.ts';
import { CITIZENS, DEMO_PERSONAS } from '../../../../demo/src/population/citizens.ts';
import { signNonce, signNonceAs } from '../../../../demo/src/signer/index.ts';
import { createX509Verifier, CHALLENGE_TTL_MS, X509_ERRORS, X509_PIPELINE, type X509LoginInput, type X509Verifier } from '../../src/identity/x509/index.ts';
import { IdentityError } from '../../src/identity/types.ts';

const WANG = 'A123456789';
const DAY = 24 * 3600_000;

let ca: DemoCa;
let foreign: DemoCa;
let crls: Uint8Array[];
let clock: Date | undefined;
let verifier: X509Verifier;

function defaultCrls(): Uint8Array[] {
  const trust = ca.trustMaterial();
  return [trust.issuingCrlDer, trust.rootCrlDer];
}

before(async () => {
  ca = await createDemoCa();
  // Same names, different keys: a CA pretending to be the demo CA.
  foreign = await createDemoCa({ citizens: CITIZENS.filter((c) => c.nationalId === WANG) });
});

function freshVerifier(options: { anchors?: string[]; crls?: () => Promise<Uint8Array[]> | Uint8Array[] } = {}): X509Verifier {
  return createX509Verifier({
    trustAnchorsPem: options.anchors ?? [ca.trustMaterial().rootCaPem],
    crls: options.crls ?? (() => crls),
    now: () => clock ?? new Date(),
  });
}

function resetVerifier(): void {
  crls = defaultCrls();
  clock = undefined;
  verifier = freshVerifier();
}

async function loginAs(nationalId: string, change: (input: X509LoginInput) => X509LoginInput | Promise<X509LoginInput> = (i) => i, using = verifier) {
  const { nonce, expiresAt } = using.issueChallenge();
  const signed = await signNonceAs(nationalId, nonce, ca);
  return using.verify(await change({ nonce, expiresAt, ...signed }));
}

/** Signs a challenge with an extra card issued for the test. */
async function loginWithCard(card: CitizenCard, chain = [ca.issuing.toString('pem')]) {
  const { nonce, expiresAt } = verifier.issueChallenge();
  return verifier.verify({
    nonce,
    expiresAt,
    certificatePem: card.certificate.toString('pem'),
    chainPem: chain,
    signature: await signNonce(card.privateKey, nonce),
  });
}

async function rejectsWith(promise: Promise<unknown>, code: keyof typeof X509_ERRORS): Promise<IdentityError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof IdentityError, `expected IdentityError, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code} (${caught.detail ?? ''})`);
  assert.equal(caught.message, X509_ERRORS[code].en);
  return caught;
}

describe('x509 verifier', () => {
  before(resetVerifier);

  test('the checks run in the documented order', () => {
    assert.deepEqual(
      X509_PIPELINE.map((step) => step.name),
      [
        'checkChallenge',
        'parseCertificates',
        'checkNonceSignature',
        'buildTrustedChain',
        'checkValidity',
        'checkRevocation',
        'checkKeyUsage',
        'readNationalId',
      ],
    );
  });

  test('challenges are 32 random bytes in base64url, valid for 2 minutes', () => {
    clock = new Date('2026-01-01T00:00:00Z');
    const a = verifier.issueChallenge();
    const b = verifier.issueChallenge();
    clock = undefined;
    assert.match(a.nonce, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.nonce, 'base64url').length, 32);
    assert.notEqual(a.nonce, b.nonce);
    assert.equal(a.expiresAt.getTime(), Date.parse('2026-01-01T00:02:00Z'));
    assert.equal(CHALLENGE_TTL_MS, 120_000);
  });

  test('王小明 signs in at level 1 with his national ID and a non-personal reference', async () => {
    const identity = await loginAs(WANG);
    assert.equal(identity.method, 'x509');
    assert.equal(identity.nationalId, WANG);
    assert.equal(identity.level, 1);
    assert.ok(Math.abs(identity.verifiedAt.getTime() - Date.now()) < 5000);
    const card = ca.cards.get(WANG) as CitizenCard;
    assert.equal(identity.reference, `x509:OpenMyData Demo Citizen CA G1:${card.certificate.serialNumber}`);
    assert.ok(!identity.reference.includes(WANG) && !identity.reference.includes('WANG'));
  });

  test('every demo citizen but the revoked one can sign in', async () => {
    for (const citizen of CITIZENS) {
      if (citizen.nationalId === REVOKED_DEMO_CITIZEN) continue;
      assert.equal((await loginAs(citizen.nationalId)).nationalId, citizen.nationalId);
    }
  });

  test('the revoked citizen is refused: certificate_revoked', async () => {
    assert.ok(!DEMO_PERSONAS.some((p) => p.nationalId === REVOKED_DEMO_CITIZEN));
    await rejectsWith(loginAs(REVOKED_DEMO_CITIZEN), 'certificate_revoked');
  });

  test('an expired certificate: certificate_expired', async () => {
    const card = await ca.issueCard({ nationalId: WANG, notBefore: new Date(Date.now() - 800 * DAY), notAfter: new Date(Date.now() - DAY) });
    await rejectsWith(loginWithCard(card), 'certificate_expired');
  });

  test('a certificate not valid yet: certificate_not_yet_valid', async () => {
    const card = await ca.issueCard({ nationalId: WANG, notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 800 * DAY) });
    await rejectsWith(loginWithCard(card), 'certificate_not_yet_valid');
  });

  test('a certificate from a foreign CA with the same names: untrusted_issuer', async () => {
    const card = foreign.cards.get(WANG) as CitizenCard;
    await rejectsWith(loginWithCard(card, [foreign.issuing.toString('pem')]), 'untrusted_issuer');
    // Its chain swapped for the real issuing CA does not help: the link signature fails.
    await rejectsWith(loginWithCard(card), 'untrusted_issuer');
  });

  test('a chain missing the issuing CA: untrusted_issuer', async () => {
    await rejectsWith(
      loginAs(WANG, (input) => ({ ...input, chainPem: [] })),
      'untrusted_issuer',
    );
  });

  test('the issuing CA may itself be configured as the trust anchor', async () => {
    const anchoredLow = freshVerifier({ anchors: [ca.trustMaterial().issuingCaPem], crls: () => [ca.trustMaterial().issuingCrlDer] });
    assert.equal((await loginAs(WANG, (i) => i, anchoredLow)).nationalId, WANG);
  });

  test('a signature by another key: signature_invalid', async () => {
    const other = ca.cards.get('B287654326') as CitizenCard;
    await rejectsWith(
      loginAs(WANG, async (input) => ({ ...input, signature: await signNonce(other.privateKey, input.nonce) })),
      'signature_invalid',
    );
  });

  test('a signature over another nonce: signature_invalid', async () => {
    const other = verifier.issueChallenge().nonce;
    await rejectsWith(
      loginAs(WANG, async (input) => ({ ...input, signature: (await signNonceAs(WANG, other, ca)).signature })),
      'signature_invalid',
    );
  });

  test('a DER-encoded or truncated signature: signature_invalid (IEEE P1363 only)', async () => {
    await rejectsWith(
      loginAs(WANG, (input) => ({ ...input, signature: input.signature.slice(0, 40) })),
      'signature_invalid',
    );
  });

  test('an expired challenge: challenge_expired', async () => {
    await rejectsWith(
      loginAs(WANG, (input) => {
        clock = new Date(input.expiresAt.getTime() + 1);
        return input;
      }),
      'challenge_expired',
    );
    clock = undefined;
  });

  test('a nonce the hub cannot have issued: challenge_expired', async () => {
    await rejectsWith(
      loginAs(WANG, (input) => ({ ...input, nonce: 'short' })),
      'challenge_expired',
    );
  });

  test('a tampered CRL: crl_unavailable, even for the revoked citizen', async () => {
    const tampered = new Uint8Array(ca.trustMaterial().issuingCrlDer);
    const last = tampered.length - 1;
    tampered[last] = (tampered[last] ?? 0) ^ 0x01;
    crls = [tampered, ca.trustMaterial().rootCrlDer];
    await rejectsWith(loginAs(WANG), 'crl_unavailable');
    await rejectsWith(loginAs(REVOKED_DEMO_CITIZEN), 'crl_unavailable');
    // Editing the revoked serial inside the signed part does not un-revoke anyone either.
    const edited = Buffer.from(ca.trustMaterial().issuingCrlDer);
    const serial = Buffer.from((ca.cards.get(REVOKED_DEMO_CITIZEN) as CitizenCard).id, 'hex');
    const at = edited.indexOf(serial);
    assert.ok(at > 0, 'the revoked serial is in the CRL');
    edited[at + serial.length - 1] = (edited[at + serial.length - 1] ?? 0) ^ 0x01;
    crls = [new Uint8Array(edited), ca.trustMaterial().rootCrlDer];
    await rejectsWith(loginAs(REVOKED_DEMO_CITIZEN), 'crl_unavailable');
    resetVerifier();
  });

  test('a CRL with the same issuer name signed by a foreign key: crl_unavailable', async () => {
    crls = [foreign.trustMaterial().issuingCrlDer, ca.trustMaterial().rootCrlDer];
    await rejectsWith(loginAs(REVOKED_DEMO_CITIZEN), 'crl_unavailable');
    resetVerifier();
  });

  test('a CRL past its nextUpdate: crl_expired', async () => {
    const stale = await ca.reissueCrl({ thisUpdate: new Date(Date.now() - 10 * DAY), nextUpdate: new Date(Date.now() - DAY) });
    crls = [new Uint8Array(stale.rawData), ca.trustMaterial().rootCrlDer];
    await ca.reissueCrl();
    await rejectsWith(loginAs(WANG), 'crl_expired');
    resetVerifier();
  });

  test('the newest of several CRLs from the issuer decides', async () => {
    const older = await ca.reissueCrl({ revokedSerials: [], thisUpdate: new Date(Date.now() - 2 * DAY) });
    const current = await ca.reissueCrl();
    crls = [new Uint8Array(older.rawData), new Uint8Array(current.rawData), ca.trustMaterial().rootCrlDer];
    await rejectsWith(loginAs(REVOKED_DEMO_CITIZEN), 'certificate_revoked');
    resetVerifier();
  });

  test('a CRL read again is not re-trusted blindly: a new publication that revokes a card takes effect at the next sign-in', async () => {
    // The verifier keeps each parsed CRL by its digest; the same bytes again give the same verdict,
    // new bytes are parsed and checked afresh, and a foreign key never rides on a cached verdict.
    const card = await ca.issueCard({ nationalId: WANG });
    const before = await ca.reissueCrl({ revokedSerials: [] });
    crls = [new Uint8Array(before.rawData), ca.trustMaterial().rootCrlDer];
    assert.equal((await loginWithCard(card)).nationalId, WANG);
    assert.equal((await loginWithCard(card)).nationalId, WANG, 'the same CRL read a second time');
    const after = await ca.reissueCrl({ revokedSerials: [card.id] });
    crls = [new Uint8Array(after.rawData), ca.trustMaterial().rootCrlDer];
    await rejectsWith(loginWithCard(card), 'certificate_revoked');
    crls = [foreign.trustMaterial().issuingCrlDer, ca.trustMaterial().rootCrlDer];
    await rejectsWith(loginWithCard(card), 'crl_unavailable');
    await ca.reissueCrl();
    resetVerifier();
  });

  test('PEM CRLs are accepted as well as DER', async () => {
    const trust = ca.trustMaterial();
    crls = [Buffer.from(trust.issuingCrlPem), Buffer.from(trust.rootCrlPem)];
    assert.equal((await loginAs(WANG)).nationalId, WANG);
    resetVerifier();
  });

  test('no CRL for a CA on the path, or a failing CRL source: crl_unavailable', async () => {
    crls = [ca.trustMaterial().issuingCrlDer]; // the root's CRL, which covers the issuing CA, is missing
    await rejectsWith(loginAs(WANG), 'crl_unavailable');
    crls = [];
    await rejectsWith(loginAs(WANG), 'crl_unavailable');
    const failing = freshVerifier({
      crls: () => {
        throw new Error('disk gone');
      },
    });
    await rejectsWith(
      loginAs(WANG, (i) => i, failing),
      'crl_unavailable',
    );
    resetVerifier();
  });

  test('garbage instead of a certificate: certificate_invalid', async () => {
    for (const certificatePem of ['not a certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', '']) {
      await rejectsWith(
        loginAs(WANG, (input) => ({ ...input, certificatePem })),
        'certificate_invalid',
      );
    }
    const pem = (ca.cards.get(WANG) as CitizenCard).certificate.toString('pem');
    await rejectsWith(
      loginAs(WANG, (input) => ({ ...input, certificatePem: `${pem}\n${pem}` })),
      'certificate_invalid',
    );
    await rejectsWith(
      loginAs(WANG, (input) => ({ ...input, chainPem: ['garbage'] })),
      'certificate_invalid',
    );
  });

  test("a card's encryption certificate is not for signing in: certificate_invalid", async () => {
    const card = await ca.issueCard({ nationalId: WANG, usage: 'encryption' });
    await rejectsWith(loginWithCard(card), 'certificate_invalid');
  });

  test('a CA certificate offered as the sign-in certificate never succeeds', async () => {
    await rejectsWith(
      loginAs(WANG, (input) => ({ ...input, certificatePem: ca.issuing.toString('pem') })),
      'signature_invalid',
    );
  });

  test('a national ID with a bad checksum in the certificate: identifier_invalid, and the value never leaks', async () => {
    const card = await ca.issueCard({ nationalId: 'A123456780' });
    const error = await rejectsWith(loginWithCard(card), 'identifier_invalid');
    assert.ok(!`${error.message} ${error.detail ?? ''}`.includes('A123456780'));
    const shapeless = await ca.issueCard({ nationalId: 'not-an-id' });
    await rejectsWith(loginWithCard(shapeless), 'identifier_invalid');
  });

  test('no error message or detail carries the national ID', async () => {
    const errors: IdentityError[] = [];
    const attempts = [
      () => loginAs(REVOKED_DEMO_CITIZEN),
      () => loginAs(WANG, (input) => ({ ...input, signature: input.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })),
    ];
    for (const attempt of attempts) await attempt().catch((error: IdentityError) => errors.push(error));
    assert.equal(errors.length, 2);
    for (const error of errors) {
      assert.ok(!`${error.message} ${error.detail ?? ''}`.includes(REVOKED_DEMO_CITIZEN));
      assert.ok(!`${error.message} ${error.detail ?? ''}`.includes(WANG));
    }
  });

  test('every code has public wording in both languages', () => {
    const codes = [
      'certificate_invalid',
      'signature_invalid',
      'untrusted_issuer',
      'certificate_expired',
      'certificate_not_yet_valid',
      'certificate_revoked',
      'crl_unavailable',
      'crl_expired',
      'identifier_invalid',
      'challenge_expired',
    ];
    assert.deepEqual(Object.keys(X509_ERRORS).sort(), [...codes].sort());
    for (const wording of Object.values(X509_ERRORS)) assert.ok(wording.en.length > 0 && wording['zh-TW'].length > 0);
  });

  test('bad configuration stops start-up with a clear message', () => {
    assert.throws(() => createX509Verifier({ trustAnchorsPem: [], crls: () => [] }), /at least one trust anchor/);
    assert.throws(() => createX509Verifier({ trustAnchorsPem: ['nope'], crls: () => [] }), /trust anchor 0/);
    const citizenPem = (ca.cards.get(WANG) as CitizenCard).certificate.toString('pem');
    assert.throws(() => createX509Verifier({ trustAnchorsPem: [citizenPem], crls: () => [] }), /not a CA/);
  });
});
