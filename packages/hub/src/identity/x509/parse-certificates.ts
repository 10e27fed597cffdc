// Step: the certificate (and any intermediates) are well-formed PEM X.509 certificates.
import { X509Certificate } from './x509-lib.ts';
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';

const MAX_PEM_LENGTH = 16 * 1024;
const MAX_INTERMEDIATES = 4;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END CERTIFICATE-----/g;

/** Every certificate block in a PEM text; throws when the text holds anything else. */
export function pemBlocks(text: string): Uint8Array[] {
  const ders: Uint8Array[] = [];
  let rest = text;
  for (const match of text.matchAll(PEM_BLOCK)) {
    ders.push(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
    rest = rest.replace(match[0], '');
  }
  if (ders.length === 0 || rest.trim() !== '') throw new Error('not a PEM certificate');
  return ders;
}

/** Parses one DER certificate and touches every field the checks read, so a malformed one fails here and not later. */
export function parseDer(der: Uint8Array): X509Certificate {
  const cert = new X509Certificate(der);
  void [cert.subject, cert.issuer, cert.serialNumber, cert.notBefore, cert.notAfter, cert.publicKey.rawData, cert.signatureAlgorithm, cert.extensions];
  return cert;
}

function parseOne(pem: unknown): X509Certificate {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_LENGTH) throw new Error('not a PEM string of sensible size');
  const ders = pemBlocks(pem);
  const [der] = ders;
  if (ders.length !== 1 || !der) throw new Error('expected exactly one certificate');
  return parseDer(der);
}

export function parseCertificates(attempt: Attempt): void {
  const { certificatePem, chainPem = [] } = attempt.input;
  if (!Array.isArray(chainPem) || chainPem.length > MAX_INTERMEDIATES) throw x509Error('certificate_invalid', 'chain missing or too long');
  try {
    attempt.leaf = parseOne(certificatePem);
  } catch (error) {
    throw x509Error('certificate_invalid', `certificate: ${(error as Error).message}`);
  }
  attempt.intermediates = chainPem.map((pem, i) => {
    try {
      return parseOne(pem);
    } catch (error) {
      throw x509Error('certificate_invalid', `chain[${i}]: ${(error as Error).message}`);
    }
  });
}
