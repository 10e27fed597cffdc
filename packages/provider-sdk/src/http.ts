// Writing responses (JSON, problem+json, packages) and reading the request body within a limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROVIDER_API } from '@openmydata/protocol';
import { ProviderError } from './errors.ts';

export const MAX_BODY_BYTES = PROVIDER_API.maxRequestBodyBytes;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, 'Cache-Control': 'no-store', ...headers });
  res.end(bytes);
}

export function sendProblem(res: ServerResponse, error: ProviderError): void {
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  if (error.status === 401) {
    // RFC 6750: tell the caller what kind of credential is expected.
    headers['WWW-Authenticate'] = error.code === 'token_missing' ? 'Bearer' : 'Bearer error="invalid_token"';
  }
  const bytes = Buffer.from(JSON.stringify(error.toProblem()), 'utf8');
  res.writeHead(error.status, {
    'Content-Type': PROVIDER_API.problemMediaType,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(bytes);
}

export function sendPackage(res: ServerResponse, zip: Buffer): void {
  res.writeHead(200, { 'Content-Type': PROVIDER_API.packageMediaType, 'Content-Length': zip.length, 'Cache-Control': 'no-store' });
  res.end(zip);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
  res.end();
}

/** Reads and discards the body; the Provider API sends everything in the token. More than 1 KiB is refused. */
export function drainBody(req: IncomingMessage): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new ProviderError('body_too_large', { headers: { Connection: 'close' } }));
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause();
        reject(new ProviderError('body_too_large', { headers: { Connection: 'close' } }));
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve());
    req.once('error', reject);
  });
}
