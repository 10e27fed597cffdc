// The worked example in docs/provider-api.md is a test vector agencies check their code against,
// so it has to stay true: the signature verifies, the digest matches, the examples parse.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flattenedVerify, importJWK, type JWK } from 'jose';
import { checkPersonIdentifier } from '../src/national-id.ts';
import { PACKAGE_CHECK_CODES, sha256Hex } from '../src/package.ts';
import { manifestSchema, PROVIDER_API, REQUIRED_REQUEST_CLAIMS, requestClaimsSchema } from '../src/provider-api.ts';
import { ZIP_ERROR_CODES } from '../src/zip.ts';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/provider-api.md'), 'utf8');
const openapi = readFileSync(join(import.meta.dirname, '../../../docs/provider-api.openapi.yaml'), 'utf8');
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

/** The lines of a YAML mapping entry (key at the given indentation) up to the next sibling key. */
function yamlBlock(key: string, indent: number): string {
  const lines = openapi.split('\n');
  const start = lines.indexOf(`${' '.repeat(indent)}${key}:`);
  assert.ok(start >= 0, `the OpenAPI file has no ${key}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.trim() !== '' && line.length - line.trimStart().length <= indent);
  return rest.slice(0, end < 0 ? undefined : end).join('\n');
}

/** The body of the Markdown section whose heading starts with the given text. */
function section(heading: string): string {
  const start = doc.indexOf(`\n${heading}`);
  assert.ok(start >= 0, `docs/provider-api.md has no section ${heading}`);
  const next = doc.slice(start + heading.length + 1).search(/\n#{2,3} /);
  return doc.slice(start, next < 0 ? undefined : start + heading.length + 1 + next);
}

/** First-column values of the Markdown table rows in text, without backticks. */
function firstColumn(text: string): string[] {
  return [...text.matchAll(/^\| `?([^`|]+?)`? \|/gm)].map((m) => (m[1] as string).trim()).filter((c) => !['claim', 'code', '#', 'reason', '---'].includes(c));
}

describe('docs/provider-api.md, its OpenAPI file and the code agree', () => {
  it('4.2: the claims table lists the ten required claims and nbf, as the schema and the OpenAPI do', () => {
    assert.deepEqual(firstColumn(section('### 4.2 Claims')).sort(), [...REQUIRED_REQUEST_CLAIMS, 'nbf'].sort());
    assert.match(section('### 4.2 Claims'), /All ten claims below are REQUIRED/);
    assert.equal(REQUIRED_REQUEST_CLAIMS.length, 10);
    const required = /required: \[([^\]]+)\]/
      .exec(yamlBlock('RequestClaims', 4))?.[1]
      ?.split(',')
      .map((c) => c.trim());
    assert.deepEqual(required?.sort(), [...REQUIRED_REQUEST_CLAIMS].sort());
    assert.match(yamlBlock('RequestClaims', 4), /\n {8}nbf:/);
    assert.equal(requestClaimsSchema.shape.nbf.safeParse(undefined).success, true);
  });

  it('5: the checks and their codes are listed in the order verifyRequestToken and the SDK make them', () => {
    const rows = [...section('## 5. How the agency checks a request').matchAll(/^\| (\d[a-z]?) \|.*\| (\d{3}) `([a-z_]+)`/gm)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    assert.deepEqual(rows, [
      '0 413 body_too_large',
      '1 401 token_missing',
      '2a 401 token_invalid',
      '2b 503 hub_keys_unavailable',
      '2c 401 token_invalid',
      '2d 401 token_claims',
      '2e 401 token_claims',
      '2f 401 token_wrong_audience',
      '2g 401 token_expired',
      '2h 401 token_claims',
      '2i 401 token_lifetime',
      '3 409 token_replayed',
      '4 404 dataset_unknown',
      '5 400 subject_invalid',
      '6 503 under_maintenance',
      '7 409 transaction_mismatch',
    ]);
    const description = yamlBlock('post', 4);
    for (const code of ['body_too_large', 'token_invalid', 'hub_keys_unavailable', 'token_claims', 'token_wrong_audience', 'token_expired', 'token_lifetime']) {
      assert.ok(description.includes(code), `the OpenAPI description of POST /v1/packages names ${code}`);
    }
  });

  it('5: the numbers in the text are the ones the code uses', () => {
    // Line breaks in the Markdown source are only wrapping.
    const checks = section('## 5. How the agency checks a request').replace(/\s+/g, ' ');
    const bound = PROVIDER_API.maxRequestLifetimeSeconds + 2 * PROVIDER_API.defaultClockToleranceSeconds;
    for (const phrase of [
      `\`Retry-After: ${PROVIDER_API.hubKeysRetryAfterSeconds}\``,
      `${PROVIDER_API.defaultClockToleranceSeconds} s by default`,
      `0 to ${PROVIDER_API.maxClockToleranceSeconds} s`,
      `(${bound} s with the default ${PROVIDER_API.defaultClockToleranceSeconds} s)`,
      `\`0 < exp − iat ≤ ${PROVIDER_API.maxRequestLifetimeSeconds}\``,
    ]) {
      assert.ok(checks.includes(phrase), `section 5 says ${phrase}`);
    }
    assert.equal(PROVIDER_API.maxRequestBodyBytes, 1024);
    assert.match(section('## 3. The request'), /larger than 1 KiB with `413 body_too_large`/);
  });

  it('6: Retry-After is whole seconds, at least 1, in both documents', () => {
    assert.match(section('## 6. Responses'), /`Retry-After` is given in whole seconds, \*\*at least 1\*\*/);
    assert.match(yamlBlock('RetryAfter', 4), /type: integer\n\s+minimum: 1\n/);
    assert.equal(PROVIDER_API.minRetryAfterSeconds, 1);
    assert.match(yamlBlock('Preparing', 4), /minimum: 1\n/);
  });

  it('6.1: the problem-code table and the OpenAPI enum hold the same codes with the same statuses', () => {
    const table = new Map([...section('### 6.1 Problem documents').matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])]));
    const block = yamlBlock('ProblemCode', 4);
    const enumCodes = [...block.matchAll(/^ {8}- ([a-z_]+)$/gm)].map((m) => m[1] as string);
    assert.deepEqual([...table.keys()].sort(), [...enumCodes].sort());
    const described = new Map([...block.matchAll(/([a-z_]+) (\d{3})[,.]/g)].map((m) => [m[1] as string, Number(m[2])]));
    assert.deepEqual([...described.entries()].sort(), [...table.entries()].sort());
  });

  it('7.2: the re-delivery window is the same in both documents and the code', () => {
    assert.ok(section('### 7.2 Preparation').includes(`**re-delivery window of ${PROVIDER_API.redeliverySeconds} s**`));
    assert.ok(yamlBlock('post', 4).includes(`for ${PROVIDER_API.redeliverySeconds} s after it first handed it out`));
  });

  it('9 and 10: every code the reader and verifyPackage can give is documented', () => {
    for (const code of [...ZIP_ERROR_CODES, ...PACKAGE_CHECK_CODES]) {
      assert.ok(doc.includes(`[${code}]`) || doc.includes(`| \`${code}\` |`), `${code} is not in sections 9 and 10`);
    }
  });

  it('8.2: unknown manifest members are dropped by the schema the verifier uses', () => {
    const parsed = manifestSchema.parse({ ...JSON.parse(manifestText), generator: 'x' }) as Record<string, unknown>;
    assert.equal('generator' in parsed, false);
    assert.match(section('### 8.2'), /a verifier MUST ignore members it does not know/);
    assert.match(yamlBlock('Manifest', 4), /additionalProperties: true/);
  });
});
