// The catalogue of problem codes an agency answers with, and the one error class that carries them.
// Codes are part of the Provider API: never rename one, never reuse a retired one.
import type { Problem } from '@openmydata/protocol';

export const PROBLEM_TYPE_PREFIX = 'urn:openmydata:problem:';

interface CatalogueEntry {
  status: number;
  title: string;
  /** Public detail used when the thrower gives none; never holds personal data. */
  detail: string;
}

export const PROBLEM_CATALOGUE = {
  token_missing: { status: 401, title: 'Request token missing', detail: 'Send the request JWT as an Authorization: Bearer token.' },
  token_invalid: { status: 401, title: 'Request token invalid', detail: 'The request token signature or format is invalid.' },
  token_expired: { status: 401, title: 'Request token expired', detail: 'The request token has expired.' },
  token_wrong_audience: { status: 401, title: 'Request token for another agency', detail: 'The request token is addressed to another agency.' },
  token_lifetime: { status: 401, title: 'Request token lives too long', detail: 'The request token lives longer than the Provider API allows.' },
  token_claims: { status: 401, title: 'Request token claims invalid', detail: 'The request token claims are missing or invalid.' },
  token_replayed: { status: 409, title: 'Request token replayed', detail: 'This request token has already been used.' },
  hub_keys_unavailable: { status: 503, title: 'Hub keys unavailable', detail: "The hub's public keys could not be fetched; try again later." },
  dataset_unknown: { status: 404, title: 'Data set unknown', detail: 'This agency does not serve the requested data set.' },
  subject_invalid: { status: 400, title: 'Subject invalid', detail: 'The subject is not a valid national ID or resident certificate number.' },
  under_maintenance: { status: 503, title: 'Under maintenance', detail: 'The agency is in a maintenance window; retry after the time given.' },
  transaction_mismatch: {
    status: 409,
    title: 'Transaction mismatch',
    detail: 'This transaction was started for another subject, data set or consent.',
  },
  body_too_large: { status: 413, title: 'Request body too large', detail: 'The request body must be empty (at most 1 KiB is read).' },
  not_found: { status: 404, title: 'Not found', detail: 'There is nothing at this path.' },
  method_not_allowed: { status: 405, title: 'Method not allowed', detail: 'This path does not accept this method.' },
  too_many_requests: {
    status: 429,
    title: 'Too many requests',
    detail: 'The agency is answering as many requests as it can; ask again after the time given.',
  },
  internal_error: { status: 500, title: 'Internal error', detail: 'The agency could not produce the package; the error has been logged.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

/** Codes once used and withdrawn; they stay here so nobody reuses them with another meaning. */
export const RETIRED_PROBLEM_CODES: readonly string[] = [];

export interface ProviderErrorOptions {
  /** Public detail; must never hold the subject or a record value. */
  detail?: string;
  /** Seconds for a Retry-After header (503). */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. Allow for 405. */
  headers?: Record<string, string>;
  /** For the log only; never sent. */
  cause?: unknown;
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ProblemCode,
    options: ProviderErrorOptions = {},
  ) {
    super(options.detail ?? PROBLEM_CATALOGUE[code].detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = PROBLEM_CATALOGUE[code].status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }

  toProblem(): Problem {
    return problemFor(this.code, this.message);
  }
}

export function problemFor(code: ProblemCode, detail?: string): Problem {
  const entry = PROBLEM_CATALOGUE[code];
  return { type: `${PROBLEM_TYPE_PREFIX}${code}`, title: entry.title, status: entry.status, detail: detail ?? entry.detail, code };
}
