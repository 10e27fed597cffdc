// Step: no certificate below the trust anchor is revoked. For each one, the CRL used must be issued by that
// certificate's issuer (same name, signature verifies with the issuer's key, issuer has keyUsage cRLSign),
// be a complete CRL (no critical extensions we do not understand, e.g. delta or partitioned CRLs), be current
// (thisUpdate <= now <= nextUpdate), and must not list the certificate's serial number. No usable CRL fails
// closed: a person cannot sign in while revocation cannot be checked.
import { X509Crl, type X509Certificate } from './x509-lib.ts';
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';
import { hasKeyUsage, KeyUsageFlags } from './extensions.ts';
import { sameName } from './names.ts';

const CRL_NUMBER = '2.5.29.20';
const AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const UNDERSTOOD_CRL_EXTENSIONS = new Set([CRL_NUMBER, AUTHORITY_KEY_IDENTIFIER]);

/** Accepts DER or PEM bytes; undefined for anything that does not parse. */
export function parseCrl(bytes: Uint8Array): X509Crl | undefined {
  try {
    const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
    const crl = head.startsWith('-----BEGIN') ? new X509Crl(Buffer.from(bytes).toString('latin1')) : new X509Crl(bytes);
    void [crl.issuer, crl.thisUpdate, crl.nextUpdate, crl.extensions];
    return crl;
  } catch {
    return undefined;
  }
}

async function loadCrls(attempt: Attempt): Promise<X509Crl[]> {
  let raw: Uint8Array[];
  try {
    raw = await attempt.context.crls();
  } catch (error) {
    throw x509Error('crl_unavailable', `CRL source failed: ${(error as Error).message}`);
  }
  return raw.map(parseCrl).filter((crl): crl is X509Crl => crl !== undefined);
}

async function issuedBy(crl: X509Crl, issuer: X509Certificate): Promise<boolean> {
  if (!sameName(crl.issuerName, issuer.subjectName)) return false;
  if (crl.extensions.some((ext) => ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(ext.type))) return false;
  try {
    return await crl.verify({ publicKey: issuer.publicKey });
  } catch {
    return false;
  }
}

/** The newest authentic, already-published CRL from `issuer`. */
async function currentCrlOf(crls: readonly X509Crl[], issuer: X509Certificate, now: Date): Promise<X509Crl> {
  if (!hasKeyUsage(issuer, KeyUsageFlags.cRLSign)) throw x509Error('crl_unavailable', 'issuer may not sign CRLs');
  let newest: X509Crl | undefined;
  for (const crl of crls) {
    if (crl.thisUpdate.getTime() > now.getTime() || !(await issuedBy(crl, issuer))) continue;
    if (!newest || crl.thisUpdate.getTime() > newest.thisUpdate.getTime()) newest = crl;
  }
  if (!newest) throw x509Error('crl_unavailable', 'no authentic CRL from the issuer');
  const nextUpdate = newest.nextUpdate;
  if (!nextUpdate || nextUpdate.getTime() < now.getTime()) throw x509Error('crl_expired');
  return newest;
}

export async function checkRevocation(attempt: Attempt): Promise<void> {
  const path = attempt.trustedPath;
  const crls = await loadCrls(attempt);
  for (let position = 0; position < path.length - 1; position++) {
    const cert = path[position] as X509Certificate;
    const issuer = path[position + 1] as X509Certificate;
    const crl = await currentCrlOf(crls, issuer, attempt.context.now);
    if (crl.findRevoked(cert.serialNumber)) throw x509Error('certificate_revoked', `path position ${position}`);
  }
}
