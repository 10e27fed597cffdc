// Step: no certificate below the trust anchor is revoked. For each one, the CRL used must be issued by that
// certificate's issuer (same name, signature verifies with the issuer's key, issuer has keyUsage cRLSign),
// be a complete CRL (no critical extensions we do not understand, e.g. delta or partitioned CRLs), be current
// (thisUpdate <= now <= nextUpdate), and must not list the certificate's serial number. No usable CRL fails
// closed: a person cannot sign in while revocation cannot be checked.
import { createHash } from 'node:crypto';
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

/** A CRL parsed once per publication, its signature checks remembered by issuer. */
interface ParsedCrl {
  crl: X509Crl;
  issuedBy: Map<string, boolean>;
}

// Keyed by the SHA-256 of the CRL's bytes, so a new publication (other bytes) is parsed and checked
// afresh, and the same one, read again at every sign-in, is not. A handful of CRLs are current at once.
const PARSED = new Map<string, ParsedCrl | null>();
const MAX_PARSED = 32;

function parsedCrl(bytes: Uint8Array): ParsedCrl | undefined {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const cached = PARSED.get(digest);
  if (cached !== undefined) return cached ?? undefined;
  const crl = parseCrl(bytes);
  const parsed = crl ? { crl, issuedBy: new Map<string, boolean>() } : null;
  PARSED.set(digest, parsed);
  if (PARSED.size > MAX_PARSED) PARSED.delete(PARSED.keys().next().value as string);
  return parsed ?? undefined;
}

async function loadCrls(attempt: Attempt): Promise<ParsedCrl[]> {
  let raw: Uint8Array[];
  try {
    raw = await attempt.context.crls();
  } catch (error) {
    throw x509Error('crl_unavailable', `CRL source failed: ${(error as Error).message}`);
  }
  return raw.map(parsedCrl).filter((crl): crl is ParsedCrl => crl !== undefined);
}

async function issuedBy(parsed: ParsedCrl, issuer: X509Certificate): Promise<boolean> {
  const { crl } = parsed;
  if (!sameName(crl.issuerName, issuer.subjectName)) return false;
  if (crl.extensions.some((ext) => ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(ext.type))) return false;
  const issuerId = createHash('sha256').update(new Uint8Array(issuer.rawData)).digest('hex');
  const known = parsed.issuedBy.get(issuerId);
  if (known !== undefined) return known;
  let verified: boolean;
  try {
    verified = await crl.verify({ publicKey: issuer.publicKey });
  } catch {
    verified = false;
  }
  parsed.issuedBy.set(issuerId, verified);
  return verified;
}

/** The newest authentic, already-published CRL from `issuer`. */
async function currentCrlOf(crls: readonly ParsedCrl[], issuer: X509Certificate, now: Date): Promise<ParsedCrl> {
  if (!hasKeyUsage(issuer, KeyUsageFlags.cRLSign)) throw x509Error('crl_unavailable', 'issuer may not sign CRLs');
  let newest: ParsedCrl | undefined;
  for (const parsed of crls) {
    if (parsed.crl.thisUpdate.getTime() > now.getTime() || !(await issuedBy(parsed, issuer))) continue;
    if (!newest || parsed.crl.thisUpdate.getTime() > newest.crl.thisUpdate.getTime()) newest = parsed;
  }
  if (!newest) throw x509Error('crl_unavailable', 'no authentic CRL from the issuer');
  const nextUpdate = newest.crl.nextUpdate;
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
    if (crl.crl.findRevoked(cert.serialNumber)) throw x509Error('certificate_revoked', `path position ${position}`);
  }
}
