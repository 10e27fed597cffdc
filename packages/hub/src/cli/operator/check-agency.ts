// What `agency check` looks at: the agency answers /healthz, publishes usable ES256 keys, and serves
// the Provider API where it was registered. Each check says what is wrong in words an operator
// can act on; nothing here sends a request token or asks for anyone's data.
import { importJWK, type JWK } from 'jose';
import { PROVIDER_API } from '@openmydata/protocol';
import type { Agency } from '../../catalog/repository.ts';

export interface CheckResult {
  check: 'transport' | 'healthz' | 'jwks' | 'provider-api';
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export async function checkAgency(agency: Agency, timeoutMs = 5000): Promise<CheckResult[]> {
  return [checkTransport(agency), await checkHealth(agency, timeoutMs), await checkJwks(agency, timeoutMs), await checkProviderApi(agency, timeoutMs)];
}

function checkTransport(agency: Agency): CheckResult {
  const plain = [agency.baseUrl, agency.jwksUrl].map((u) => new URL(u)).filter((u) => u.protocol === 'http:' && !LOOPBACK.has(u.hostname));
  if (plain.length > 0) {
    return { check: 'transport', status: 'warn', detail: `plain http to ${plain.map((u) => u.host).join(', ')}: use https outside development` };
  }
  return { check: 'transport', status: 'ok', detail: new URL(agency.baseUrl).protocol === 'https:' ? 'https' : 'http on this machine (development)' };
}

/** Why a fetch failed, from its cause: refused, unknown host, timeout, a port fetch will not use, TLS. */
export function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if ((error as { name?: string }).name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens there';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached';
  }
  if (cause?.message === 'bad port') return 'fetch refuses this port (browsers block it too): register the agency on another port';
  if (cause?.code?.startsWith('ERR_TLS') || cause?.code?.includes('CERT')) return `TLS failed (${cause.code})`;
  return `the request failed (${cause?.code ?? cause?.message ?? (error as Error).message})`;
}

async function get(url: string, timeoutMs: number, init: RequestInit = {}): Promise<{ response: Response } | { failure: string }> {
  try {
    return { response: await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) }) };
  } catch (error) {
    return { failure: describeFetchFailure(error, timeoutMs) };
  }
}

async function checkHealth(agency: Agency, timeoutMs: number): Promise<CheckResult> {
  const url = new URL('/healthz', agency.baseUrl).toString();
  const started = performance.now();
  const answer = await get(url, timeoutMs);
  if ('failure' in answer) return { check: 'healthz', status: 'fail', detail: `${url}: ${answer.failure}` };
  const ms = Math.round(performance.now() - started);
  const body = await answer.response.text().catch(() => '');
  if (answer.response.status !== 200) return { check: 'healthz', status: 'fail', detail: `${url} answered ${answer.response.status}, not 200` };
  let status: unknown;
  try {
    status = (JSON.parse(body) as { status?: unknown }).status;
  } catch {
    // reported below
  }
  if (status !== 'ok') return { check: 'healthz', status: 'fail', detail: `${url} answered 200 but not {"status":"ok"}` };
  return { check: 'healthz', status: 'ok', detail: `${url}: 200 {"status":"ok"} in ${ms} ms` };
}

/** Why one published key cannot verify ES256 package signatures, or undefined when it can. */
async function keyProblem(key: JWK): Promise<string | undefined> {
  if (key.kty !== 'EC' || key.crv !== 'P-256') return `is ${String(key.kty)}${key.crv ? ` ${String(key.crv)}` : ''}, not EC P-256`;
  if (key.alg !== undefined && key.alg !== PROVIDER_API.algorithm) return `is for ${String(key.alg)}, not ES256`;
  if (key.use !== undefined && key.use !== 'sig') return `has use "${String(key.use)}", not "sig"`;
  try {
    await importJWK({ ...key, alg: PROVIDER_API.algorithm }, PROVIDER_API.algorithm);
  } catch {
    return 'is not a valid EC public key (x, y)';
  }
  return undefined;
}

async function checkJwks(agency: Agency, timeoutMs: number): Promise<CheckResult> {
  const url = agency.jwksUrl;
  const fail = (detail: string): CheckResult => ({ check: 'jwks', status: 'fail', detail: `${url}: ${detail}` });
  const answer = await get(url, timeoutMs);
  if ('failure' in answer) return fail(answer.failure);
  if (answer.response.status !== 200) return fail(`answered ${answer.response.status}, not 200`);
  let jwks: { keys?: unknown };
  try {
    jwks = (await answer.response.json()) as { keys?: unknown };
  } catch {
    return fail('is not JSON');
  }
  if (jwks === null || typeof jwks !== 'object' || !Array.isArray(jwks.keys)) return fail('is not a JWKS: it has no "keys" array');
  const keys = jwks.keys as JWK[];
  const problems: string[] = [];
  const usable: string[] = [];
  const kids = new Set<string>();
  for (const [i, key] of keys.entries()) {
    if (key === null || typeof key !== 'object') {
      problems.push(`keys[${i}] is not an object`);
      continue;
    }
    const name = typeof key.kid === 'string' && key.kid !== '' ? `key ${key.kid}` : `keys[${i}]`;
    // A private member published is the worst mistake an agency can make here: say so first.
    if ('d' in key || 'p' in key || 'q' in key) return fail(`${name} publishes its PRIVATE part ("d"): remove it from the JWKS now and replace the key`);
    if (typeof key.kid !== 'string' || key.kid === '') {
      problems.push(`${name} has no kid: packages name their key by kid`);
      continue;
    }
    if (kids.has(key.kid)) problems.push(`kid ${key.kid} appears twice`);
    kids.add(key.kid);
    const problem = await keyProblem(key);
    if (problem) problems.push(`${name} ${problem}`);
    else usable.push(key.kid);
  }
  if (usable.length === 0) return fail(`has no usable ES256 key${problems.length > 0 ? ` (${problems.join('; ')})` : ' (the key set is empty)'}`);
  if (problems.some((p) => p.includes('appears twice'))) return fail(problems.join('; '));
  const detail = `${usable.length} ES256 key${usable.length === 1 ? '' : 's'} (kid ${usable.join(', ')})`;
  if (problems.length > 0) return { check: 'jwks', status: 'warn', detail: `${url}: ${detail}; ignored: ${problems.join('; ')}` };
  return { check: 'jwks', status: 'ok', detail: `${url}: ${detail}` };
}

/** A POST without a token must be refused as the Provider API refuses it: 401 problem+json token_missing. */
async function checkProviderApi(agency: Agency, timeoutMs: number): Promise<CheckResult> {
  const url = new URL(PROVIDER_API.packagePath, agency.baseUrl).toString();
  const answer = await get(url, timeoutMs, { method: 'POST' });
  const fail = (detail: string): CheckResult => ({ check: 'provider-api', status: 'fail', detail: `POST ${url} without a token ${detail}` });
  if ('failure' in answer) return fail(`failed: ${answer.failure}`);
  const { response } = answer;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim();
  const text = await response.text().catch(() => '');
  if (response.status === 404) return fail('answered 404: the Provider API is not at the root of base_url');
  if (response.status !== 401) return fail(`answered ${response.status}, expected 401 token_missing`);
  if (type !== PROVIDER_API.problemMediaType) return fail(`answered 401 as ${type || 'no content type'}, expected ${PROVIDER_API.problemMediaType}`);
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    return fail('answered 401 with a body that is not JSON');
  }
  if (code !== 'token_missing') return fail(`answered 401 with code ${JSON.stringify(code)}, expected "token_missing"`);
  return { check: 'provider-api', status: 'ok', detail: `POST ${url} without a token: 401 token_missing, as it should` };
}
