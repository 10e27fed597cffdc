// docs/service-api.md and docs/service-api.openapi.yaml say what the hub does: the data endpoint's
// answers are the route's own, the errors and states are the code's, and the discovery document
// advertises what the page promises.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TRANSFER_DETAILS_TYPE } from '../../src/oauth/authorization-details.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const docs = join(import.meta.dirname, '../../../../docs');
const page = readFileSync(join(docs, 'service-api.md'), 'utf8');
const yaml = readFileSync(join(docs, 'service-api.openapi.yaml'), 'utf8');
let t: TestHub;

before(async () => {
  t = await startTestHub();
});
after(() => t?.stop());

test('the OpenAPI file documents exactly the data endpoint’s answers', async () => {
  const generated = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
  };
  const codes = Object.keys(generated.paths['/api/v1/service/data']?.post?.responses ?? {}).sort();
  assert.ok(codes.length >= 5);
  const documented = [...yaml.matchAll(/^ {8}['"](\d{3})['"]:$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, codes);
  for (const code of ['invalid_token', 'invalid_dpop_proof', 'invalid_request', 'service_keys_unavailable', 'service_delivery_failed'])
    assert.ok(yaml.includes(code) && page.includes(code), code);
});

test('discovery advertises what docs/service-api.md promises', async () => {
  const metadata = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
  assert.deepEqual(metadata.authorization_details_types_supported, [TRANSFER_DETAILS_TYPE]);
  assert.equal(metadata.require_pushed_authorization_requests, true);
  assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['private_key_jwt']);
  assert.deepEqual(metadata.grant_types_supported, ['authorization_code']);
  assert.deepEqual(metadata.response_types_supported, ['code']);
  assert.equal(metadata.authorization_response_iss_parameter_supported, true);
  assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['ES256', 'PS256', 'EdDSA']);
  assert.equal(metadata.openmydata_data_endpoint, `${t.hub.config.publicUrl}/api/v1/service/data`);
  for (const word of [TRANSFER_DETAILS_TYPE, 'openmydata_data_endpoint', '/oauth/par', '/oauth/token', '/api/v1/service/data'])
    assert.ok(page.includes(word), word);
});
