// Writes the demo CA's trust material (CA certificates and CRLs, no personal data) for the hub to read.
// Citizen certificates and keys are never written: they hold national IDs and stay in the signer's memory.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoCa } from '../ca/index.ts';

export interface TrustFiles {
  /** The hub's trust anchor. */
  rootCa: string;
  /** The issuing CA; also sent in every chain by the signer. */
  issuingCa: string;
  /** CRL of the issuing CA, DER. */
  issuingCrl: string;
  /** CRL of the root CA, DER. */
  rootCrl: string;
}

export function trustFilesIn(dir: string): TrustFiles {
  return {
    rootCa: join(dir, 'demo-root-ca.pem'),
    issuingCa: join(dir, 'demo-ca-g1.pem'),
    issuingCrl: join(dir, 'demo-ca-g1.crl'),
    rootCrl: join(dir, 'demo-root-ca.crl'),
  };
}

/** Write then rename, so the hub never reads half a file. */
async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data, { mode: 0o644 });
  await rename(temporary, path);
}

export async function writeTrustFiles(dir: string, ca: DemoCa): Promise<TrustFiles> {
  const files = trustFilesIn(dir);
  const trust = ca.trustMaterial();
  await mkdir(dir, { recursive: true });
  await replaceFile(files.rootCa, trust.rootCaPem);
  await replaceFile(files.issuingCa, trust.issuingCaPem);
  await replaceFile(files.issuingCrl, trust.issuingCrlDer);
  await replaceFile(files.rootCrl, trust.rootCrlDer);
  return files;
}

/** Only the issuing CA's CRL needs refreshing during a run; the root CRL lasts a year. */
export async function writeIssuingCrl(dir: string, ca: DemoCa): Promise<void> {
  await replaceFile(trustFilesIn(dir).issuingCrl, ca.trustMaterial().issuingCrlDer);
}
