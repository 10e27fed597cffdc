import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as protocol from '../src/index.ts';
import { manifestSchema, PACKAGE_PATHS, PROVIDER_API, requestClaimsSchema } from '../src/provider-api.ts';

const claims = {
  iss: 'https://hub.openmydata.test',
  aud: 'moi-household',
  jti: 'jti-0123456789abcdef',
  iat: 1_740_817_800,
  exp: 1_740_817_830,
  sub: 'A123456789',
  dataset: 'household-registration',
  consent_id: 'consent-42',
  purpose: 'Download by the data subject',
  txn: 'txn_0123456789abcdefghij',
};

const manifest = {
  version: 1,
  agency: 'moi-household',
  dataset: 'household-registration',
  transaction_id: 'txn_0123456789abcdefghij',
  consent_id: 'consent-42',
  created_at: '2025-03-01T08:30:00.000Z',
  files: [{ path: 'data.json', sha256: 'a'.repeat(64), size: 10, media_type: 'application/json' }],
};

describe('Provider API constants', () => {
  it('fixes the paths, types and limits the documentation states', () => {
    assert.equal(PROVIDER_API.packagePath, '/v1/packages');
    assert.equal(PROVIDER_API.jwksPath, '/.well-known/jwks.json');
    assert.equal(PROVIDER_API.requestJwtType, 'omd-request+jwt');
    assert.equal(PROVIDER_API.manifestJwsType, 'omd-manifest+jws');
    assert.equal(PROVIDER_API.packageMediaType, 'application/zip');
    assert.equal(PROVIDER_API.problemMediaType, 'application/problem+json');
    assert.equal(PROVIDER_API.maxRequestLifetimeSeconds, 60);
    assert.equal(PROVIDER_API.algorithm, 'ES256');
    assert.deepEqual(PACKAGE_PATHS, { data: 'data.json', pdf: 'data.pdf', manifest: 'META-INF/manifest.json', signature: 'META-INF/manifest.jws' });
  });

  it('exports everything from the package entry point', () => {
    for (const name of [
      'checkPersonIdentifier',
      'createZip',
      'readZip',
      'assemblePackage',
      'verifyPackage',
      'signRequestToken',
      'verifyRequestToken',
      'PROVIDER_API',
    ]) {
      assert.ok(name in protocol, name);
    }
  });
});

describe('requestClaimsSchema', () => {
  it('accepts the documented claims', () => {
    assert.deepEqual(requestClaimsSchema.parse(claims), claims);
  });

  it('refuses a missing or malformed claim', () => {
    for (const key of Object.keys(claims)) {
      const without: Record<string, unknown> = { ...claims };
      delete without[key];
      assert.equal(requestClaimsSchema.safeParse(without).success, false, `without ${key}`);
    }
    for (const change of [
      { dataset: '-starts-with-dash' },
      { dataset: 'x'.repeat(65) },
      { txn: 'a'.repeat(129) },
      { jti: 'j'.repeat(129) },
      { iat: 1.5 },
      { purpose: 'p'.repeat(501) },
    ]) {
      assert.equal(requestClaimsSchema.safeParse({ ...claims, ...change }).success, false, JSON.stringify(change));
    }
  });

  it('accepts the longest allowed values', () => {
    const longest = { ...claims, dataset: `a${'b'.repeat(63)}`, txn: 'a'.repeat(128), jti: 'j'.repeat(128), purpose: 'p'.repeat(500), sub: 'A'.repeat(32) };
    assert.equal(requestClaimsSchema.safeParse(longest).success, true);
  });
});

describe('manifestSchema', () => {
  it('accepts the documented manifest, with or without a UTC offset', () => {
    assert.equal(manifestSchema.safeParse(manifest).success, true);
    assert.equal(manifestSchema.safeParse({ ...manifest, created_at: '2025-03-01T16:30:00+08:00' }).success, true);
  });

  it('refuses other versions, bad digests, negative sizes, empty or oversized file lists', () => {
    const file = manifest.files[0];
    assert.ok(file);
    const bad = [
      { ...manifest, version: 2 },
      { ...manifest, created_at: '2025-03-01' },
      { ...manifest, files: [] },
      { ...manifest, files: Array.from({ length: 33 }, (_, i) => ({ ...file, path: `f${i}` })) },
      { ...manifest, files: [{ ...file, sha256: 'A'.repeat(64) }] },
      { ...manifest, files: [{ ...file, sha256: 'a'.repeat(63) }] },
      { ...manifest, files: [{ ...file, size: -1 }] },
      { ...manifest, files: [{ ...file, media_type: '' }] },
      { ...manifest, agency: '' },
    ];
    for (const value of bad) assert.equal(manifestSchema.safeParse(value).success, false, JSON.stringify(value).slice(0, 120));
  });
});
