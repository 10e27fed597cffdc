// Step: the certificate is an end-entity certificate meant for signing: not a CA, keyUsage digitalSignature,
// extendedKeyUsage (when present) allowing client authentication, no critical extension we do not understand.
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';
import { EKU_ANY, EKU_CLIENT_AUTH, extendedKeyUsageOf, hasKeyUsage, isCa, KeyUsageFlags, unknownCriticalExtensions } from './extensions.ts';

export function checkKeyUsage(attempt: Attempt): void {
  const cert = attempt.certificate;
  if (isCa(cert)) throw x509Error('certificate_invalid', 'certificate is a CA');
  if (!hasKeyUsage(cert, KeyUsageFlags.digitalSignature)) throw x509Error('certificate_invalid', 'keyUsage lacks digitalSignature');
  const eku = extendedKeyUsageOf(cert);
  if (eku && !eku.includes(EKU_CLIENT_AUTH) && !eku.includes(EKU_ANY)) throw x509Error('certificate_invalid', 'extendedKeyUsage lacks clientAuth');
  const unknown = unknownCriticalExtensions(cert);
  if (unknown.length > 0) throw x509Error('certificate_invalid', `unknown critical extensions ${unknown.join(',')}`);
}
