// CRLs read from files on every call, so a CRL replaced on disk (e.g. var/trust/*.crl) is used at once.
import { readFile } from 'node:fs/promises';
import type { CrlSource } from './attempt.ts';

export function crlsFromFiles(paths: readonly string[]): CrlSource {
  return () => Promise.all(paths.map(async (path) => new Uint8Array(await readFile(path))));
}
