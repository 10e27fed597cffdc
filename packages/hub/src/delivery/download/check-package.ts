// Checks one agency package as anyone holding it would, and says precisely what passed or failed.
// A thin layer over the protocol's verifyPackage, which is the single definition of "verified".
import { joseCode, type KeyResolver, PackageError, verifyPackage } from '@openmydata/protocol';

export type PackageCheck =
  | {
      ok: true;
      agency: string;
      dataset: string;
      kid: string;
      signedAt: string;
      transactionId: string;
      /** Every file the manifest lists, each matching its SHA-256 and size. */
      files: Array<{ path: string; sha256: string; size: number }>;
      /** The verified file contents, to compare the loose copies beside a package with. */
      contents: Map<string, Uint8Array>;
    }
  | { ok: false; code: string; message: string };

export async function checkAgencyPackage(
  archive: Uint8Array,
  options: { keys: KeyResolver; expect?: { agency?: string; dataset?: string } },
): Promise<PackageCheck> {
  try {
    const verified = await verifyPackage(archive, { keys: options.keys, ...(options.expect ? { expect: options.expect } : {}) });
    return {
      ok: true,
      agency: verified.manifest.agency,
      dataset: verified.manifest.dataset,
      kid: verified.kid,
      signedAt: verified.manifest.created_at,
      transactionId: verified.manifest.transaction_id,
      files: verified.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
      contents: verified.files,
    };
  } catch (error) {
    if (error instanceof PackageError) return { ok: false, code: error.code, message: error.message };
    // Not the package's fault: the agency's keys could not be fetched or read.
    const code = joseCode(error);
    const reason = code ?? (error as Error).message ?? 'unknown error';
    return {
      ok: false,
      code: 'keys_unavailable',
      message: `the agency's keys could not be fetched or used (${reason}); check the network or give a saved JWKS file with --jwks`,
    };
  }
}

/** Compares a loose copy (data.pdf beside package.zip) with the signed file of the same name. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
