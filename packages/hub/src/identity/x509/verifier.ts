// X.509 citizen-certificate sign-in: the person's certificate key signs a hub nonce, and the hub checks
// the steps below in this order. The first failing step decides the error code.
import type { X509Certificate } from '@peculiar/x509';
import type { VerifiedIdentity } from '../types.ts';
import { Attempt, type CrlSource, type X509LoginInput } from './attempt.ts';
import { buildTrustedChain, caProblem } from './build-trusted-chain.ts';
import { issueChallenge, type X509Challenge } from './challenge.ts';
import { checkChallenge } from './check-challenge.ts';
import { checkKeyUsage } from './check-key-usage.ts';
import { checkNonceSignature } from './check-nonce-signature.ts';
import { checkRevocation } from './check-revocation.ts';
import { checkValidity } from './check-validity.ts';
import { commonNameOf } from './names.ts';
import { parseCertificates, parseDer, pemBlocks } from './parse-certificates.ts';
import { readNationalId } from './read-national-id.ts';

export type X509Step = (attempt: Attempt) => void | Promise<void>;

/** The checks, in the order they run. Review them here as one table. */
export const X509_PIPELINE: readonly X509Step[] = [
  checkChallenge, // challenge_expired
  parseCertificates, // certificate_invalid
  checkNonceSignature, // signature_invalid (certificate_invalid when the key is not P-256)
  buildTrustedChain, // untrusted_issuer
  checkValidity, // certificate_expired, certificate_not_yet_valid
  checkRevocation, // crl_unavailable, crl_expired, certificate_revoked
  checkKeyUsage, // certificate_invalid
  readNationalId, // identifier_invalid
];

export interface X509VerifierOptions {
  /** PEM trust anchors (usually root CAs); one string may hold several certificates. */
  trustAnchorsPem: string[];
  /** CRLs (DER or PEM bytes) from every CA below the anchors; called on each verification, so cache as needed. */
  crls: CrlSource;
  now?: () => Date;
}

export interface X509Verifier {
  /** A fresh nonce, valid 2 minutes. The caller stores it with its expiry and consumes it once. */
  issueChallenge(): X509Challenge;
  verify(input: X509LoginInput): Promise<VerifiedIdentity>;
}

/** Configuration is checked once, here: a bad trust anchor stops start-up with a clear message. */
function parseTrustAnchors(pems: readonly string[]): X509Certificate[] {
  const anchors = pems.flatMap((pem, i) => {
    try {
      return pemBlocks(pem).map(parseDer);
    } catch (error) {
      throw new Error(`x509 trust anchor ${i}: ${(error as Error).message}`);
    }
  });
  if (anchors.length === 0) throw new Error('x509: at least one trust anchor is required');
  for (const anchor of anchors) {
    const problem = caProblem(anchor, 1);
    if (problem) throw new Error(`x509 trust anchor "${anchor.subject}": ${problem}`);
  }
  return anchors;
}

export function createX509Verifier(options: X509VerifierOptions): X509Verifier {
  const anchors = parseTrustAnchors(options.trustAnchorsPem);
  const clock = options.now ?? (() => new Date());
  return {
    issueChallenge: () => issueChallenge(clock()),
    async verify(input) {
      const now = clock();
      const attempt = new Attempt(input, { anchors, crls: options.crls, now });
      for (const step of X509_PIPELINE) await step(attempt);
      const leaf = attempt.certificate;
      if (attempt.nationalId === undefined) throw new Error('x509 pipeline ended without a national ID');
      return {
        method: 'x509',
        nationalId: attempt.nationalId,
        level: 1,
        verifiedAt: now,
        reference: `x509:${commonNameOf(leaf.issuerName) ?? 'unknown'}:${leaf.serialNumber}`,
        name: displayName(commonNameOf(leaf.subjectName)),
      };
    },
  };
}

/** A name to greet the person with, or nothing when the CN is not one (empty, an ID, overlong). */
function displayName(cn: string | undefined): string | undefined {
  const name = cn?.trim();
  return name && name.length <= 60 && !/\d{5}/.test(name) ? name : undefined;
}
