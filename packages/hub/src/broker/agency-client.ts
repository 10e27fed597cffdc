// One HTTP exchange with an agency's Provider API, classified. Bodies are read with a size cap and
// the whole exchange with a deadline; nothing here retries or verifies.
import { PROVIDER_API } from '@openmydata/protocol';
import { parseRetryAfter } from './retry-after.ts';

export type Exchange =
  | { kind: 'package'; body: Buffer }
  | { kind: 'no_data' }
  | { kind: 'preparing'; retryAfterSeconds: number | undefined }
  /** 429: the agency is shedding load and did not take the request; ask again later, same txn. */
  | { kind: 'busy'; retryAfterSeconds: number | undefined }
  | { kind: 'maintenance'; retryAfterSeconds: number | undefined }
  | { kind: 'rejected'; status: number; code: string | undefined }
  | { kind: 'server_error'; status: number; retryAfterSeconds: number | undefined }
  | { kind: 'bad_response'; detail: string }
  | { kind: 'too_large' }
  | { kind: 'timeout' }
  | { kind: 'unreachable' };

export interface ExchangeOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Ends the exchange early when the hub stops (the caller then reports the interruption). */
  signal?: AbortSignal;
}

export async function requestPackage(baseUrl: string, token: string, options: ExchangeOptions): Promise<Exchange> {
  const url = new URL(PROVIDER_API.packagePath, baseUrl);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: `${PROVIDER_API.packageMediaType}, ${PROVIDER_API.problemMediaType}` },
      signal,
      redirect: 'error',
    });
  } catch (error) {
    return isTimeout(error, deadline) ? { kind: 'timeout' } : { kind: 'unreachable' };
  }
  try {
    return await classify(response, options);
  } catch (error) {
    // An answer that broke off is a failed connection, so transient: the retry (same txn) gets the
    // agency's re-delivery of the same package (docs/provider-api.md section 7.3).
    return isTimeout(error, deadline) ? { kind: 'timeout' } : { kind: 'unreachable' };
  } finally {
    // Make sure an unread body never holds the connection.
    if (!response.bodyUsed) await response.body?.cancel().catch(() => {});
  }
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error as { name?: string }).name === 'TimeoutError';
}

async function classify(response: Response, options: ExchangeOptions): Promise<Exchange> {
  const status = response.status;
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (status === 200) {
    if (type !== PROVIDER_API.packageMediaType) return { kind: 'bad_response', detail: `200 with content type ${type || 'none'}, expected a package` };
    const body = await readCapped(response, options.maxBytes);
    return body ? { kind: 'package', body } : { kind: 'too_large' };
  }
  if (status === 204) return { kind: 'no_data' };
  if (status === 202) return { kind: 'preparing', retryAfterSeconds: retryAfter };
  if (status === 429) return { kind: 'busy', retryAfterSeconds: retryAfter };
  const problemCode = type === PROVIDER_API.problemMediaType ? await readProblemCode(response) : undefined;
  if (status === 503 && problemCode === 'under_maintenance') return { kind: 'maintenance', retryAfterSeconds: retryAfter };
  if (status >= 500) return { kind: 'server_error', status, retryAfterSeconds: retryAfter };
  if (status >= 400) {
    if (type !== PROVIDER_API.problemMediaType) return { kind: 'bad_response', detail: `${status} without problem details` };
    return { kind: 'rejected', status, code: problemCode };
  }
  return { kind: 'bad_response', detail: `unexpected status ${status}` };
}

/** The body, or undefined as soon as it passes maxBytes (by header or by counting). */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function readProblemCode(response: Response): Promise<string | undefined> {
  const body = await readCapped(response, 16 * 1024);
  if (!body) return undefined;
  try {
    const json = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return typeof json.code === 'string' && /^[a-z0-9_]{1,64}$/.test(json.code) ? json.code : undefined;
  } catch {
    return undefined;
  }
}
