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
  /** Request JWTs live at most this long; agencies reject anything longer. */
  maxRequestLifetimeSeconds: 60,
  algorithm: 'ES256',
} as const;

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
});
export type RequestClaims = z.infer<typeof requestClaimsSchema>;

export const packageFileSchema = z.object({
  path: z.string().min(1).max(255),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  media_type: z.string().min(1).max(100),
});

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
