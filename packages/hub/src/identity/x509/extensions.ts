// Reading the certificate extensions the checks depend on, and refusing critical ones we do not understand.
import { BasicConstraintsExtension, ExtendedKeyUsageExtension, KeyUsageFlags, KeyUsagesExtension, type X509Certificate } from './x509-lib.ts';

const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const EXTENDED_KEY_USAGE = '2.5.29.37';

/** Extensions this module processes or that never restrict a path when critical. */
const UNDERSTOOD = new Set([
  BASIC_CONSTRAINTS,
  KEY_USAGE,
  EXTENDED_KEY_USAGE,
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.17', // subjectAltName
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const EKU_ANY = '2.5.29.37.0';

export function basicConstraintsOf(cert: X509Certificate): BasicConstraintsExtension | null {
  const ext = cert.getExtension(BASIC_CONSTRAINTS);
  return ext ? new BasicConstraintsExtension(ext.rawData) : null;
}

/** The key usage bits, or null when the extension is absent. */
export function keyUsageOf(cert: X509Certificate): KeyUsageFlags | null {
  const ext = cert.getExtension(KEY_USAGE);
  return ext ? new KeyUsagesExtension(ext.rawData).usages : null;
}

export function hasKeyUsage(cert: X509Certificate, flag: KeyUsageFlags): boolean {
  const usages = keyUsageOf(cert);
  return usages !== null && (usages & flag) === flag;
}

/** Extended key usage OIDs, or null when the extension is absent (no restriction). */
export function extendedKeyUsageOf(cert: X509Certificate): string[] | null {
  const ext = cert.getExtension(EXTENDED_KEY_USAGE);
  return ext ? new ExtendedKeyUsageExtension(ext.rawData).usages.map(String) : null;
}

/** Critical extensions we do not process (RFC 5280 4.2: such a certificate must be rejected). */
export function unknownCriticalExtensions(cert: X509Certificate): string[] {
  return cert.extensions.filter((ext) => ext.critical && !UNDERSTOOD.has(ext.type)).map((ext) => ext.type);
}

export function isCa(cert: X509Certificate): boolean {
  return basicConstraintsOf(cert)?.ca === true;
}

export { KeyUsageFlags };
