// Signed packages: assembling one (agency side) and verifying one (hub and anyone holding it).
import { createHash } from 'node:crypto';
import { FlattenedSign, flattenedVerify, type CryptoKey, type FlattenedJWSInput, type JWSHeaderParameters, type KeyObject } from 'jose';
import { isVerificationFailure, joseCode } from './jose-errors.ts';
import { manifestSchema, PACKAGE_PATHS, PROVIDER_API, type Manifest, type PackageFile } from './provider-api.ts';
import { createZip, DEFAULT_ZIP_LIMITS, readZip, ZipError, type ZipLimits } from './zip.ts';

export type SigningKey = CryptoKey | KeyObject | Uint8Array;
/** Resolves the verification key for a JWS header, e.g. jose's createRemoteJWKSet. */
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<SigningKey>;

export interface PackageContent {
  path: string;
  data: Uint8Array;
  mediaType: string;
  compress?: boolean;
}

export interface PackageMeta {
  agency: string;
  dataset: string;
  transactionId: string;
  consentId: string;
  createdAt?: Date;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Builds the signed ZIP: the given files, then META-INF/manifest.json and its detached JWS. */
export async function assemblePackage(files: readonly PackageContent[], meta: PackageMeta, key: { privateKey: SigningKey; kid: string }): Promise<Buffer> {
  const manifest: Manifest = {
    version: 1,
    agency: meta.agency,
    dataset: meta.dataset,
    transaction_id: meta.transactionId,
    consent_id: meta.consentId,
    created_at: (meta.createdAt ?? new Date()).toISOString(),
    files: files.map((f) => ({ path: f.path, sha256: sha256Hex(f.data), size: f.data.byteLength, media_type: f.mediaType })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2), 'utf8');
  const signature = await signDetached(manifestBytes, key.privateKey, key.kid);
  return createZip([
    ...files.map((f) => ({ name: f.path, data: f.data, compress: f.compress ?? true })),
    { name: PACKAGE_PATHS.manifest, data: manifestBytes },
    { name: PACKAGE_PATHS.signature, data: Buffer.from(signature, 'utf8') },
  ]);
}

/** A compact JWS with a detached payload (RFC 7515 appendix F): "header..signature". */
export async function signDetached(payload: Uint8Array, privateKey: SigningKey, kid: string): Promise<string> {
  const jws = await new FlattenedSign(payload).setProtectedHeader({ alg: PROVIDER_API.algorithm, kid, typ: PROVIDER_API.manifestJwsType }).sign(privateKey);
  return `${jws.protected}..${jws.signature}`;
}

/** Every code verifyPackage refuses a package with besides the ZIP reader's (docs/provider-api.md section 10). */
export const PACKAGE_CHECK_CODES = [
  'package_missing_file',
  'package_unlisted_file',
  'package_manifest_invalid',
  'package_signature_invalid',
  'package_unknown_key',
  'package_digest_mismatch',
  'package_binding_mismatch',
] as const;
export type PackageErrorCode = ZipError['code'] | (typeof PACKAGE_CHECK_CODES)[number];

export class PackageError extends Error {
  override readonly name = 'PackageError';
  constructor(
    readonly code: PackageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifiedPackage {
  manifest: Manifest;
  kid: string;
  /** Every file the manifest lists, verified against its digest. */
  files: Map<string, Buffer>;
}

export interface VerifyOptions {
  keys: KeyResolver;
  /** What the verifier asked for; a package about anything else is refused. */
  expect?: Partial<{ agency: string; dataset: string; transactionId: string; consentId: string }>;
  limits?: ZipLimits;
}

/**
 * Verification, in order: archive structure and limits, required entries, manifest shape,
 * signature by a key the agency publishes, binding to the request, then every digest.
 * Nothing in the package is trusted before the step that checks it.
 */
export async function verifyPackage(archive: Uint8Array, options: VerifyOptions): Promise<VerifiedPackage> {
  const entries = readPackageArchive(archive, options.limits ?? DEFAULT_ZIP_LIMITS);
  const manifestBytes = requireEntry(entries, PACKAGE_PATHS.manifest);
  const signature = requireEntry(entries, PACKAGE_PATHS.signature).toString('utf8').trim();
  const kid = await verifyManifestSignature(manifestBytes, signature, options.keys);
  const manifest = parseManifest(manifestBytes);
  checkBinding(manifest, options.expect ?? {});
  const files = checkDigests(manifest, entries);
  return { manifest, kid, files };
}

function readPackageArchive(archive: Uint8Array, limits: ZipLimits): Map<string, Buffer> {
  try {
    return readZip(archive, limits);
  } catch (error) {
    if (error instanceof ZipError) throw new PackageError(error.code, error.message);
    throw error;
  }
}

function requireEntry(entries: Map<string, Buffer>, path: string): Buffer {
  const data = entries.get(path);
  if (!data) throw new PackageError('package_missing_file', `package has no ${path}`);
  return data;
}

async function verifyManifestSignature(manifestBytes: Buffer, compact: string, keys: KeyResolver): Promise<string> {
  const parts = compact.split('.');
  if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) {
    throw new PackageError('package_signature_invalid', 'manifest.jws is not a detached compact JWS');
  }
  let header: JWSHeaderParameters;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as JWSHeaderParameters;
  } catch {
    throw new PackageError('package_signature_invalid', 'manifest.jws header is not JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new PackageError('package_signature_invalid', 'manifest.jws header is not a JSON object');
  }
  if (header.alg !== PROVIDER_API.algorithm) throw new PackageError('package_signature_invalid', `manifest.jws uses ${String(header.alg)}, ES256 required`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new PackageError('package_signature_invalid', 'manifest.jws names no kid');
  try {
    await flattenedVerify({ protected: parts[0], payload: manifestBytes.toString('base64url'), signature: parts[2] }, keys, {
      algorithms: [PROVIDER_API.algorithm],
    });
  } catch (error) {
    // Keys that could not be fetched are not the package's fault: let the caller say so.
    if (!isVerificationFailure(error)) throw error;
    const code = joseCode(error);
    if (code === 'ERR_JWKS_NO_MATCHING_KEY') throw new PackageError('package_unknown_key', `no published key has kid ${header.kid}`);
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw new PackageError('package_signature_invalid', 'manifest signature does not verify');
    throw new PackageError('package_signature_invalid', `manifest signature rejected (${code})`);
  }
  return header.kid;
}

function parseManifest(bytes: Buffer): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new PackageError('package_manifest_invalid', 'manifest.json is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new PackageError('package_manifest_invalid', `manifest.json is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

function checkBinding(manifest: Manifest, expect: NonNullable<VerifyOptions['expect']>): void {
  const pairs: Array<[string, string | undefined, string]> = [
    ['agency', expect.agency, manifest.agency],
    ['dataset', expect.dataset, manifest.dataset],
    ['transaction', expect.transactionId, manifest.transaction_id],
    ['consent', expect.consentId, manifest.consent_id],
  ];
  for (const [what, wanted, got] of pairs) {
    if (wanted !== undefined && wanted !== got) throw new PackageError('package_binding_mismatch', `package is for another ${what}`);
  }
}

function checkDigests(manifest: Manifest, entries: Map<string, Buffer>): Map<string, Buffer> {
  const listed = new Map<string, PackageFile>();
  for (const file of manifest.files) {
    if (listed.has(file.path) || file.path.startsWith('META-INF/manifest.')) {
      throw new PackageError('package_manifest_invalid', `manifest lists ${file.path} wrongly`);
    }
    listed.set(file.path, file);
  }
  for (const name of entries.keys()) {
    if (name !== PACKAGE_PATHS.manifest && name !== PACKAGE_PATHS.signature && !listed.has(name)) {
      throw new PackageError('package_unlisted_file', `package holds ${name}, which the manifest does not list`);
    }
  }
  const files = new Map<string, Buffer>();
  for (const file of listed.values()) {
    const data = requireEntry(entries, file.path);
    if (data.length !== file.size || sha256Hex(data) !== file.sha256) {
      throw new PackageError('package_digest_mismatch', `${file.path} does not match its digest`);
    }
    files.set(file.path, data);
  }
  for (const required of [PACKAGE_PATHS.data, PACKAGE_PATHS.pdf]) {
    if (!files.has(required)) throw new PackageError('package_missing_file', `package has no ${required}`);
  }
  return files;
}
