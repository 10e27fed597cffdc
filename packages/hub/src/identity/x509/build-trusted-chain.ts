// Step: a path leads from the certificate, through the supplied intermediates, to a configured trust anchor.
// Each link's signature must verify with the next certificate's key, and every issuer must be a CA allowed
// to sign certificates (basicConstraints cA, keyUsage keyCertSign, pathLenConstraint respected).
import type { X509Certificate } from '@peculiar/x509';
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';
import { basicConstraintsOf, hasKeyUsage, KeyUsageFlags, unknownCriticalExtensions } from './extensions.ts';
import { namesIssuer } from './names.ts';

const MAX_PATH_LENGTH = 6;

async function signedBy(child: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await child.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

async function findIssuer(child: X509Certificate, candidates: readonly X509Certificate[]): Promise<X509Certificate | undefined> {
  for (const candidate of candidates) {
    if (namesIssuer(child, candidate) && (await signedBy(child, candidate))) return candidate;
  }
  return undefined;
}

/** Why `issuer`, found at `position` in the path (1 = issued the leaf), may not issue certificates; undefined when it may. */
export function caProblem(issuer: X509Certificate, position: number): string | undefined {
  const constraints = basicConstraintsOf(issuer);
  if (!constraints?.ca) return 'issuer is not a CA (basicConstraints)';
  if (!hasKeyUsage(issuer, KeyUsageFlags.keyCertSign)) return 'issuer lacks keyUsage keyCertSign';
  // pathLenConstraint counts the intermediate CAs that may follow this one, excluding the leaf.
  if (constraints.pathLength !== undefined && position - 1 > constraints.pathLength) return 'pathLenConstraint exceeded';
  const unknown = unknownCriticalExtensions(issuer);
  if (unknown.length > 0) return `issuer has unknown critical extensions ${unknown.join(',')}`;
  return undefined;
}

export async function buildTrustedChain(attempt: Attempt): Promise<void> {
  const { anchors } = attempt.context;
  const path = [attempt.certificate];
  const unused = [...attempt.intermediates];
  while (path.length < MAX_PATH_LENGTH) {
    const current = path[path.length - 1] as X509Certificate;
    const anchor = await findIssuer(current, anchors);
    const issuer = anchor ?? (await findIssuer(current, unused));
    if (!issuer) throw x509Error('untrusted_issuer', `no trusted issuer for path position ${path.length - 1}`);
    const problem = caProblem(issuer, path.length);
    if (problem) throw x509Error('untrusted_issuer', problem);
    path.push(issuer);
    if (anchor) {
      attempt.path = path;
      return;
    }
    unused.splice(unused.indexOf(issuer), 1);
  }
  throw x509Error('untrusted_issuer', 'path too long');
}
