import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { compactVerify, createRemoteJWKSet, errors as joseErrors, FlattenedSign } from 'jose';
import { assemblePackage, PackageError, type PackageErrorCode, sha256Hex, signDetached, verifyPackage, type VerifyOptions } from '../src/package.ts';
import { PACKAGE_PATHS, PROVIDER_API, type Manifest } from '../src/provider-api.ts';
import { createZip, DEFAULT_ZIP_LIMITS, readZip, type ZipEntryInput } from '../src/zip.ts';
import { startJwksServer, UNREACHABLE_JWKS_URL } from './helpers/jwks-server.ts';
import { jwksOf, newKey, type TestKey } from './helpers/keys.ts';
import { buildRawZip, rawEntry } from './helpers/raw-zip.ts';

const meta = {
  agency: 'moi-household',
  dataset: 'household-registration',
  transactionId: 'txn_0123456789abcdefghij',
  consentId: 'consent-42',
  createdAt: new Date('2025-03-01T08:30:00.000Z'),
};
const dataJson = Buffer.from(JSON.stringify({ agency: meta.agency, dataset: meta.dataset, records: [{ 姓名: '測試人', 戶號: 'F0000001' }] }), 'utf8');
const dataPdf = Buffer.from('%PDF-1.7\n% synthetic test document\n%%EOF\n', 'latin1');
const files = [
  { path: PACKAGE_PATHS.data, data: dataJson, mediaType: 'application/json' },
  { path: PACKAGE_PATHS.pdf, data: dataPdf, mediaType: 'application/pdf', compress: false },
];

let agencyKey: TestKey;
let rotatedKey: TestKey;
let impostorKey: TestKey;
let good: Buffer;

before(async () => {
  agencyKey = await newKey('agency-2025');
  rotatedKey = await newKey('agency-2026');
  // Another key pair that claims the agency's kid.
  impostorKey = await newKey('agency-2025');
  good = await assemblePackage(files, meta, agencyKey);
});

async function codeOf(archive: Uint8Array, options: Partial<VerifyOptions> = {}): Promise<PackageErrorCode> {
  try {
    await verifyPackage(archive, { keys: jwksOf(agencyKey), ...options });
  } catch (error) {
    assert.ok(error instanceof PackageError, `expected a PackageError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('the package was accepted');
}

/** Re-zips a package's entries after edit, keeping the order and everything not edited. */
function rezip(archive: Uint8Array, edit: (entries: ZipEntryInput[]) => ZipEntryInput[]): Buffer {
  const entries = [...readZip(archive)].map(([name, data]) => ({ name, data }));
  return createZip(edit(entries));
}

function replaceEntry(archive: Uint8Array, name: string, data: Uint8Array): Buffer {
  return rezip(archive, (entries) => entries.map((e) => (e.name === name ? { name, data } : e)));
}

function entryOf(archive: Uint8Array, name: string): Buffer {
  const data = readZip(archive).get(name);
  assert.ok(data, `no ${name}`);
  return data;
}

/** A package whose manifest bytes are whatever the test says, correctly signed by the agency key. */
async function signedWith(
  manifestBytes: Uint8Array,
  entries: ZipEntryInput[] = [
    { name: PACKAGE_PATHS.data, data: dataJson },
    { name: PACKAGE_PATHS.pdf, data: dataPdf },
  ],
): Promise<Buffer> {
  const jws = await signDetached(manifestBytes, agencyKey.privateKey, agencyKey.kid);
  return createZip([...entries, { name: PACKAGE_PATHS.manifest, data: manifestBytes }, { name: PACKAGE_PATHS.signature, data: Buffer.from(jws) }]);
}

function manifestOf(archive: Uint8Array): Manifest {
  return JSON.parse(entryOf(archive, PACKAGE_PATHS.manifest).toString('utf8')) as Manifest;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('assemblePackage', () => {
  it('writes the files, then the manifest, then its signature', () => {
    assert.deepEqual([...readZip(good).keys()], ['data.json', 'data.pdf', 'META-INF/manifest.json', 'META-INF/manifest.jws']);
    assert.deepEqual(entryOf(good, 'data.json'), dataJson);
    assert.deepEqual(entryOf(good, 'data.pdf'), dataPdf);
  });

  it('lists every file with its SHA-256, size and media type, bound to the request', () => {
    const manifest = manifestOf(good);
    assert.deepEqual(manifest, {
      version: 1,
      agency: meta.agency,
      dataset: meta.dataset,
      transaction_id: meta.transactionId,
      consent_id: meta.consentId,
      created_at: '2025-03-01T08:30:00.000Z',
      files: [
        { path: 'data.json', sha256: sha256Hex(dataJson), size: dataJson.length, media_type: 'application/json' },
        { path: 'data.pdf', sha256: sha256Hex(dataPdf), size: dataPdf.length, media_type: 'application/pdf' },
      ],
    });
    // The manifest is pretty-printed JSON; the signature covers these exact bytes.
    assert.equal(entryOf(good, PACKAGE_PATHS.manifest).toString('utf8'), JSON.stringify(manifest, null, 2));
  });

  it('signs the manifest as a compact JWS with a detached payload (RFC 7515 appendix F)', async () => {
    const jws = entryOf(good, PACKAGE_PATHS.signature).toString('utf8');
    const [header, payload, signature] = jws.split('.');
    assert.equal(payload, '');
    assert.ok(header && signature);
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), { alg: 'ES256', kid: 'agency-2025', typ: 'omd-manifest+jws' });
    // Re-attaching the manifest bytes gives an ordinary compact JWS any JOSE library verifies.
    const manifestBytes = entryOf(good, PACKAGE_PATHS.manifest);
    const attached = `${header}.${manifestBytes.toString('base64url')}.${signature}`;
    const verified = await compactVerify(attached, agencyKey.publicKey, { algorithms: ['ES256'] });
    assert.deepEqual(Buffer.from(verified.payload), manifestBytes);
  });

  it('stores data.pdf when asked and deflates the rest', () => {
    // Local header method field of the second entry (data.pdf).
    const pdfOffset = 30 + 'data.json'.length + good.readUInt32LE(18);
    assert.equal(good.readUInt16LE(8), 8);
    assert.equal(good.readUInt16LE(pdfOffset + 8), 0);
  });
});

describe('sha256Hex', () => {
  it('gives the lower-case hex digest', () => {
    assert.equal(sha256Hex(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex(new Uint8Array()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('verifyPackage accepts a sound package', () => {
  it('returns the manifest, the kid and every listed file', async () => {
    const verified = await verifyPackage(good, { keys: jwksOf(agencyKey) });
    assert.equal(verified.kid, 'agency-2025');
    assert.deepEqual(verified.manifest, manifestOf(good));
    assert.deepEqual([...verified.files.keys()], ['data.json', 'data.pdf']);
    assert.deepEqual(verified.files.get('data.json'), dataJson);
    assert.deepEqual(verified.files.get('data.pdf'), dataPdf);
  });

  it('accepts it when the binding matches what was asked for', async () => {
    const expect = { agency: meta.agency, dataset: meta.dataset, transactionId: meta.transactionId, consentId: meta.consentId };
    const verified = await verifyPackage(good, { keys: jwksOf(agencyKey), expect });
    assert.equal(verified.manifest.transaction_id, meta.transactionId);
  });

  it('verifies packages signed by either key while keys rotate', async () => {
    const keys = jwksOf(agencyKey, rotatedKey);
    const newer = await assemblePackage(files, meta, rotatedKey);
    assert.equal((await verifyPackage(good, { keys })).kid, 'agency-2025');
    assert.equal((await verifyPackage(newer, { keys })).kid, 'agency-2026');
  });

  it('accepts extra files when the manifest lists them', async () => {
    const extra = Buffer.from('annex');
    const archive = await assemblePackage([...files, { path: 'annex/notes.txt', data: extra, mediaType: 'text/plain' }], meta, agencyKey);
    const verified = await verifyPackage(archive, { keys: jwksOf(agencyKey) });
    assert.deepEqual(verified.files.get('annex/notes.txt'), extra);
  });

  it('tolerates a trailing newline after the JWS', async () => {
    const jws = entryOf(good, PACKAGE_PATHS.signature);
    const archive = replaceEntry(good, PACKAGE_PATHS.signature, Buffer.concat([jws, Buffer.from('\n')]));
    assert.equal((await verifyPackage(archive, { keys: jwksOf(agencyKey) })).kid, 'agency-2025');
  });
});

describe('verifyPackage refuses', () => {
  it('a changed data.json under the original manifest: package_digest_mismatch', async () => {
    const tampered = Buffer.from(dataJson);
    tampered[tampered.length - 3] = 'X'.charCodeAt(0);
    assert.equal(await codeOf(replaceEntry(good, 'data.json', tampered)), 'package_digest_mismatch');
  });

  it('a changed data.pdf of another length: package_digest_mismatch', async () => {
    assert.equal(await codeOf(replaceEntry(good, 'data.pdf', Buffer.concat([dataPdf, Buffer.from(' ')]))), 'package_digest_mismatch');
  });

  it('a changed manifest under the original signature: package_signature_invalid', async () => {
    const manifest = manifestOf(good);
    const first = manifest.files[0];
    assert.ok(first);
    first.sha256 = sha256Hex(Buffer.from('forged'));
    const archive = replaceEntry(good, PACKAGE_PATHS.manifest, Buffer.from(JSON.stringify(manifest, null, 2)));
    assert.equal(await codeOf(archive), 'package_signature_invalid');
  });

  it('the same manifest re-serialised (one byte of white space more): package_signature_invalid', async () => {
    const bytes = entryOf(good, PACKAGE_PATHS.manifest);
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.manifest, Buffer.concat([bytes, Buffer.from('\n')]))), 'package_signature_invalid');
  });

  it('a package signed by another key under the same kid: package_signature_invalid', async () => {
    const forged = await assemblePackage(files, meta, impostorKey);
    assert.equal(await codeOf(forged), 'package_signature_invalid');
  });

  it('a package signed under a kid the agency does not publish: package_unknown_key', async () => {
    const archive = await assemblePackage(files, meta, rotatedKey);
    assert.equal(await codeOf(archive), 'package_unknown_key');
  });

  it('a package without data.pdf: package_missing_file', async () => {
    const onlyJson = await assemblePackage(files.slice(0, 1), meta, agencyKey);
    assert.equal(await codeOf(onlyJson), 'package_missing_file');
    // Listed in the manifest but left out of the archive.
    const dropped = rezip(good, (entries) => entries.filter((e) => e.name !== 'data.pdf'));
    assert.equal(await codeOf(dropped), 'package_missing_file');
  });

  it('a package without data.json: package_missing_file', async () => {
    const onlyPdf = await assemblePackage(files.slice(1), meta, agencyKey);
    assert.equal(await codeOf(onlyPdf), 'package_missing_file');
  });

  it('a package without its manifest or its signature: package_missing_file', async () => {
    assert.equal(await codeOf(rezip(good, (e) => e.filter((x) => x.name !== PACKAGE_PATHS.manifest))), 'package_missing_file');
    assert.equal(await codeOf(rezip(good, (e) => e.filter((x) => x.name !== PACKAGE_PATHS.signature))), 'package_missing_file');
  });

  it('an extra file the manifest does not list: package_unlisted_file', async () => {
    const archive = rezip(good, (entries) => [...entries, { name: 'payload.exe', data: Buffer.from('MZ') }]);
    assert.equal(await codeOf(archive), 'package_unlisted_file');
  });

  it('a package for another data set, transaction, consent or agency: package_binding_mismatch', async () => {
    assert.equal(await codeOf(good, { expect: { dataset: 'income-tax' } }), 'package_binding_mismatch');
    assert.equal(await codeOf(good, { expect: { transactionId: 'txn_another0123456789' } }), 'package_binding_mismatch');
    assert.equal(await codeOf(good, { expect: { consentId: 'consent-43' } }), 'package_binding_mismatch');
    assert.equal(await codeOf(good, { expect: { agency: 'mof-tax' } }), 'package_binding_mismatch');
    assert.equal(await codeOf(good, { expect: { dataset: meta.dataset, transactionId: 'txn_another0123456789' } }), 'package_binding_mismatch');
  });

  it('bytes that are not a ZIP: zip_malformed', async () => {
    assert.equal(await codeOf(Buffer.from('{"not":"a zip"}')), 'zip_malformed');
    assert.equal(await codeOf(new Uint8Array()), 'zip_malformed');
    assert.equal(await codeOf(good.subarray(0, good.length - 1)), 'zip_malformed');
  });

  it('a hostile archive, with the ZIP error code', async () => {
    assert.equal(await codeOf(buildRawZip([rawEntry('../../etc/cron.d/x', 'evil')])), 'zip_unsafe_name');
    assert.equal(await codeOf(good, { limits: { ...DEFAULT_ZIP_LIMITS, maxEntries: 3 } }), 'zip_too_many_entries');
  });

  it('a manifest.jws with alg none: package_signature_invalid', async () => {
    const header = b64({ alg: 'none', kid: agencyKey.kid, typ: PROVIDER_API.manifestJwsType });
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(`${header}..`))), 'package_signature_invalid');
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(`${header}..AAAA`))), 'package_signature_invalid');
  });

  it('a manifest.jws with alg HS256, even one that verifies with some secret: package_signature_invalid', async () => {
    const manifestBytes = entryOf(good, PACKAGE_PATHS.manifest);
    const secret = new TextEncoder().encode('a shared secret of thirty-two by');
    const jws = await new FlattenedSign(manifestBytes).setProtectedHeader({ alg: 'HS256', kid: agencyKey.kid }).sign(secret);
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(`${jws.protected}..${jws.signature}`))), 'package_signature_invalid');
  });

  it('a manifest.jws that names no kid: package_signature_invalid', async () => {
    const manifestBytes = entryOf(good, PACKAGE_PATHS.manifest);
    const jws = await new FlattenedSign(manifestBytes).setProtectedHeader({ alg: 'ES256' }).sign(agencyKey.privateKey);
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(`${jws.protected}..${jws.signature}`))), 'package_signature_invalid');
  });

  it('a manifest.jws with the payload attached instead of detached: package_signature_invalid', async () => {
    const [header, , signature] = entryOf(good, PACKAGE_PATHS.signature).toString('utf8').split('.');
    const attached = `${header}.${entryOf(good, PACKAGE_PATHS.manifest).toString('base64url')}.${signature}`;
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(attached))), 'package_signature_invalid');
  });

  it('a manifest.jws that is not a JWS at all: package_signature_invalid', async () => {
    for (const junk of ['', 'hello', 'a.b', 'a..b..c', '!!!..!!!', `${Buffer.from('not json').toString('base64url')}..AAAA`]) {
      assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(junk))), 'package_signature_invalid', JSON.stringify(junk));
    }
  });

  it('a manifest.jws whose header is JSON null: package_signature_invalid', async () => {
    const junk = `${b64(null)}..AAAA`;
    assert.equal(await codeOf(replaceEntry(good, PACKAGE_PATHS.signature, Buffer.from(junk))), 'package_signature_invalid');
  });

  it('a signed manifest that is not JSON or not a manifest: package_manifest_invalid', async () => {
    assert.equal(await codeOf(await signedWith(Buffer.from('not json'))), 'package_manifest_invalid');
    const manifest = manifestOf(good);
    assert.equal(await codeOf(await signedWith(Buffer.from(JSON.stringify({ ...manifest, version: 2 })))), 'package_manifest_invalid');
    assert.equal(await codeOf(await signedWith(Buffer.from(JSON.stringify({ ...manifest, files: [] })))), 'package_manifest_invalid');
    assert.equal(await codeOf(await signedWith(Buffer.from(JSON.stringify({ ...manifest, created_at: 'yesterday' })))), 'package_manifest_invalid');
    const badDigest = { ...manifest, files: manifest.files.map((f) => ({ ...f, sha256: f.sha256.toUpperCase() })) };
    assert.equal(await codeOf(await signedWith(Buffer.from(JSON.stringify(badDigest)))), 'package_manifest_invalid');
  });

  it('a signed manifest listing a file twice or listing itself: package_manifest_invalid', async () => {
    const manifest = manifestOf(good);
    const first = manifest.files[0];
    assert.ok(first);
    assert.equal(await codeOf(await signedWith(Buffer.from(JSON.stringify({ ...manifest, files: [...manifest.files, first] })))), 'package_manifest_invalid');
    const self = { path: PACKAGE_PATHS.manifest, sha256: sha256Hex(Buffer.from('x')), size: 1, media_type: 'application/json' };
    assert.equal(await codeOf(await signedWith(Buffer.from(JSON.stringify({ ...manifest, files: [...manifest.files, self] })))), 'package_manifest_invalid');
  });

  it('checks the signature before anything the manifest says', async () => {
    // Both the manifest and the data changed consistently, but nobody re-signed: the signature fails first.
    const tampered = Buffer.from(dataJson.toString('utf8').replace('測試人', '冒名者'), 'utf8');
    const manifest = manifestOf(good);
    const first = manifest.files[0];
    assert.ok(first);
    first.sha256 = sha256Hex(tampered);
    first.size = tampered.length;
    let archive = replaceEntry(good, 'data.json', tampered);
    archive = replaceEntry(archive, PACKAGE_PATHS.manifest, Buffer.from(JSON.stringify(manifest, null, 2)));
    assert.equal(await codeOf(archive), 'package_signature_invalid');
  });
});

describe('verifyPackage when the agency keys cannot be fetched', () => {
  // Not the package's fault: the hub reports agency_keys_unavailable, not a package that failed verification.
  const isPackageError = (error: unknown) => error instanceof PackageError;

  it('lets a JWKS timeout through', async () => {
    const server = await startJwksServer('hang');
    try {
      const keys = createRemoteJWKSet(server.url, { timeoutDuration: 100 });
      await assert.rejects(verifyPackage(good, { keys }), joseErrors.JWKSTimeout);
    } finally {
      await server.close();
    }
  });

  it('lets a JWKS that answers 500 through', async () => {
    const server = await startJwksServer('status-500');
    try {
      await assert.rejects(verifyPackage(good, { keys: createRemoteJWKSet(server.url) }), (error) => !isPackageError(error));
    } finally {
      await server.close();
    }
  });

  it('lets an unreachable JWKS through', async () => {
    const keys = createRemoteJWKSet(UNREACHABLE_JWKS_URL);
    await assert.rejects(verifyPackage(good, { keys }), (error) => !isPackageError(error));
  });
});
