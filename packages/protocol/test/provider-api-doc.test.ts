// The worked example in docs/provider-api.md is a test vector agencies check their code against,
// so it has to stay true: the signature verifies, the digest matches, the examples parse.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flattenedVerify, importJWK, type JWK } from 'jose';
import { checkPersonIdentifier } from '../src/national-id.ts';
import { sha256Hex } from '../src/package.ts';
import { manifestSchema, requestClaimsSchema } from '../src/provider-api.ts';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/provider-api.md'), 'utf8');
const blocks = [...doc.matchAll(/```[a-z]*\n([\s\S]*?)\n```/g)].map((m) => m[1] as string);

function block(test: (text: string) => boolean, what: string): string {
  const found = blocks.find(test);
  assert.ok(found !== undefined, `docs/provider-api.md has no ${what}`);
  return found;
}

const manifestText = block((b) => b.startsWith('{\n  "version": 1,'), 'example manifest.json');
const dataText = block((b) => b.startsWith('{\n  "agency": "moi-household",') && b.includes('"records": [\n    {'), 'example data.json');
const jws = block((b) => /^eyJ[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/.test(b), 'example manifest.jws');
const jwks = JSON.parse(block((b) => b.includes('"keys": ['), 'example JWKS')) as { keys: JWK[] };
const claims = JSON.parse(block((b) => b.includes('"jti":') && b.includes('"txn":'), 'example request claims')) as Record<string, unknown>;

describe('docs/provider-api.md worked example', () => {
  it('the manifest signature verifies over the exact manifest bytes with the published key', async () => {
    const [header, middle, signature] = jws.split('.');
    assert.equal(middle, '');
    const key = jwks.keys[0];
    assert.ok(key && header && signature);
    const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: key.kid, typ: 'omd-manifest+jws' });
    const payload = Buffer.from(manifestText, 'utf8').toString('base64url');
    await flattenedVerify({ protected: header, payload, signature }, await importJWK(key, 'ES256'), { algorithms: ['ES256'] });
  });

  it('the manifest is valid and lists data.json with its true digest and size', () => {
    const manifest = manifestSchema.parse(JSON.parse(manifestText));
    const data = Buffer.from(dataText, 'utf8');
    const listed = manifest.files.find((f) => f.path === 'data.json');
    assert.ok(listed);
    assert.equal(listed.sha256, sha256Hex(data));
    assert.equal(listed.size, data.length);
    assert.equal(manifest.transaction_id, claims.txn);
    assert.equal(manifest.consent_id, claims.consent_id);
    assert.equal(manifest.agency, claims.aud);
    assert.equal(manifest.dataset, claims.dataset);
  });

  it('the request claims pass the schema, with a lifetime within 60 s and a valid subject', () => {
    const parsed = requestClaimsSchema.parse(claims);
    assert.ok(parsed.exp - parsed.iat <= 60);
    assert.equal(checkPersonIdentifier(parsed.sub).ok, true);
  });
});
