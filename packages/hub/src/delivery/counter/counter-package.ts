// What a counter package holds and how it is locked. The plaintext is every verified agency package
// exactly as received (so the console checks the agencies' signatures again, as anyone could); it
// is sealed (AES-256-GCM) under a random package key. That key, with the person's notice address,
// is stored only wrapped: under a key derived from the person's code (scrypt, salted with a secret
// of the hub) for the clerk, and under the retrieval key the person's session holds for re-issuing.
import { randomBytes } from 'node:crypto';
import { seal, unseal } from '../../keys/seal.ts';
import type { VerifiedOutcome } from '../../retrieval/delivery.ts';

export interface PackageSecret {
  /** The package key. */
  key: Buffer;
  /** Where the confirmation code and the notice go, and in which language. */
  notice: { to: string; lang: 'zh-TW' | 'en' };
}

export interface PackedAgencyPackage {
  dataset: string;
  agency: string;
  /** The agency's signed ZIP, as received. */
  archive: Buffer;
}

export function newPackageKey(): Buffer {
  return randomBytes(32);
}

export function sealPackage(key: Buffer, packageId: string, packages: readonly VerifiedOutcome[]): Buffer {
  const body = {
    v: 1,
    packages: packages.map((p) => ({ dataset: p.dataset, agency: p.agency, archive: Buffer.from(p.archive).toString('base64') })),
  };
  return Buffer.from(seal(key, `counter-package:${packageId}`, Buffer.from(JSON.stringify(body))), 'base64url');
}

export function openPackage(key: Buffer, packageId: string, ciphertext: Buffer): PackedAgencyPackage[] {
  const body = JSON.parse(unseal(key, `counter-package:${packageId}`, ciphertext.toString('base64url')).toString('utf8')) as {
    packages: Array<{ dataset: string; agency: string; archive: string }>;
  };
  return body.packages.map((p) => ({ dataset: p.dataset, agency: p.agency, archive: Buffer.from(p.archive, 'base64') }));
}

export function wrapSecret(wrappingKey: Buffer, label: string, secret: PackageSecret): string {
  return seal(wrappingKey, label, Buffer.from(JSON.stringify({ key: secret.key.toString('base64url'), notice: secret.notice })));
}

/** Throws when the wrapping key is not the right one. */
export function unwrapSecret(wrappingKey: Buffer, label: string, wrapped: string): PackageSecret {
  const parsed = JSON.parse(unseal(wrappingKey, label, wrapped).toString('utf8')) as { key: string; notice: PackageSecret['notice'] };
  return { key: Buffer.from(parsed.key, 'base64url'), notice: parsed.notice };
}

export const LABELS = {
  /** The secret under the code-derived key. */
  code: (packageId: string) => `counter-code:${packageId}`,
  /** The secret under the person's retrieval key. */
  owner: (retrievalId: string) => `counter-owner:${retrievalId}`,
  /** The code itself under the person's retrieval key (to show it again). */
  ownerCode: (retrievalId: string) => `counter-code-display:${retrievalId}`,
  /** The secret under the clerk's session key while the confirmation code is out. */
  redemption: (redemptionId: string) => `counter-redemption:${redemptionId}`,
  /** An open case under the clerk's session key. */
  case: (caseId: string) => `counter-case:${caseId}`,
};
