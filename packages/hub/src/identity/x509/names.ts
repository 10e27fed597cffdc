// Comparing distinguished names by their DER encoding, and reading single attributes.
import type { Name, X509Certificate } from '@peculiar/x509';

export function sameName(a: Name, b: Name): boolean {
  return Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer()));
}

/** True when `issuer`'s subject is the name `child` says issued it. */
export function namesIssuer(child: X509Certificate, issuer: X509Certificate): boolean {
  return sameName(child.issuerName, issuer.subjectName);
}

export function commonNameOf(name: Name): string | undefined {
  return name.getField('CN')[0];
}
