// One verification in progress: the input, what the steps have established so far, and the context they check against.
import type { X509Certificate } from '@peculiar/x509';

export interface X509LoginInput {
  /** The challenge nonce as issued (base64url text); its UTF-8 bytes are what was signed. */
  nonce: string;
  /** When the challenge stops being valid, as stored by the session layer alongside the nonce. */
  expiresAt: Date;
  /** The person's (end-entity) certificate. */
  certificatePem: string;
  /** Intermediate CA certificates, any order; trust anchors need not be included. */
  chainPem?: string[];
  /** ECDSA P-256 SHA-256 signature over the nonce, IEEE P1363 (r || s, 64 bytes), base64url. */
  signature: string;
  algorithm?: 'ES256';
}

export type CrlSource = () => Promise<Uint8Array[]> | Uint8Array[];

export interface VerifierContext {
  anchors: readonly X509Certificate[];
  crls: CrlSource;
  /** Taken once per verification so every step judges the same instant. */
  now: Date;
}

export class Attempt {
  leaf: X509Certificate | undefined;
  intermediates: X509Certificate[] = [];
  /** Leaf first, trust anchor last; set by buildTrustedChain. */
  path: X509Certificate[] = [];
  nationalId: string | undefined;

  constructor(
    readonly input: X509LoginInput,
    readonly context: VerifierContext,
  ) {}

  /** The parsed end-entity certificate; a step that needs it before parsing is a programming error. */
  get certificate(): X509Certificate {
    if (!this.leaf) throw new Error('x509 pipeline out of order: the certificate has not been parsed');
    return this.leaf;
  }

  get trustedPath(): X509Certificate[] {
    if (this.path.length < 2) throw new Error('x509 pipeline out of order: no trusted chain yet');
    return this.path;
  }
}
