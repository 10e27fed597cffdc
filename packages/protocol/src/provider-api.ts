// Provider API v1: what the hub sends an agency and what the agency answers (docs/provider-api.md).
import { z } from 'zod';

export const PROVIDER_API = {
  /** POST, with the request JWT as a Bearer token. */
  packagePath: '/v1/packages',
  jwksPath: '/.well-known/jwks.json',
  requestJwtType: 'omd-request+jwt',
  manifestJwsType: 'omd-manifest+jws',
  packageMediaType: 'application/zip',
  problemMediaType: 'application/problem+json',
  /** Request JWTs live at most this long (exp - iat); agencies reject anything longer. */
  maxRequestLifetimeSeconds: 60,
  /** Clock skew an agency allows on exp, iat and nbf: 5 s unless configured, never more than 60 s. */
  defaultClockToleranceSeconds: 5,
  maxClockToleranceSeconds: 60,
  algorithm: 'ES256',
  /** An agency reads at most this much of a request body, which should be empty; more is 413. */
  maxRequestBodyBytes: 1024,
  /** Retry-After is whole seconds, at least this many. */
  minRetryAfterSeconds: 1,
  /** Retry-After an agency sends with 503 hub_keys_unavailable. */
  hubKeysRetryAfterSeconds: 5,
  /** How long an agency keeps a delivered package to hand the same bytes to a retry of its transaction. */
  redeliverySeconds: 300,
} as const;

/** The claims every request JWT carries, each in the form below (docs/provider-api.md section 4.2). */
export const requestClaimsSchema = z.object({
  iss: z.string().min(1),
  aud: z.string().min(1),
  jti: z.string().min(16).max(128),
  iat: z.number().int(),
  exp: z.number().int(),
  /** The subject: a national ID or resident certificate number. */
  sub: z.string().min(1).max(32),
  dataset: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  consent_id: z.string().min(1).max(128),
  purpose: z.string().min(1).max(500),
  /** Transaction id: stays the same while the hub polls for a package being prepared. */
  txn: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  /** Optional; when present, the token is not valid before it. */
  nbf: z.number().int().optional(),
});
/** The ten claims a request JWT must carry (nbf is the only optional one). */
export const REQUIRED_REQUEST_CLAIMS = Object.entries(requestClaimsSchema.shape)
  .filter(([, schema]) => !schema.safeParse(undefined).success)
  .map(([name]) => name);
export type RequestClaims = z.infer<typeof requestClaimsSchema>;

export const packageFileSchema = z.object({
  path: z.string().min(1).max(255),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  media_type: z.string().min(1).max(100),
});

/** z.object drops members it does not know: verifiers ignore them (docs/provider-api.md section 8.2). */
export const manifestSchema = z.object({
  version: z.literal(1),
  agency: z.string().min(1),
  dataset: z.string().min(1),
  transaction_id: z.string().min(1),
  consent_id: z.string().min(1),
  created_at: z.string().datetime({ offset: true }),
  files: z.array(packageFileSchema).min(1).max(32),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type PackageFile = z.infer<typeof packageFileSchema>;

export const PACKAGE_PATHS = {
  data: 'data.json',
  pdf: 'data.pdf',
  manifest: 'META-INF/manifest.json',
  signature: 'META-INF/manifest.jws',
} as const;

/** RFC 9457 problem details, with our stable code. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

/** data.json inside a package. */
export interface PackageData {
  agency: string;
  dataset: string;
  created_at: string;
  records: Array<Record<string, string | number | boolean | null>>;
}
