// What every identity verification method yields, and the one error class they all throw.

/** 1 strongest (certificate / chip card), 2 mobile ID / passkey, 3 NHI card, 4 two documents. */
export type AssuranceLevel = 1 | 2 | 3 | 4;

export type IdentityMethodId = 'x509' | 'oidc' | 'passkey';

export interface VerifiedIdentity {
  method: IdentityMethodId;
  nationalId: string;
  level: AssuranceLevel;
  verifiedAt: Date;
  /** non-personal audit detail, e.g. certificate serial + issuer, IdP issuer */
  reference: string;
  /**
   * The person's name as the method asserts it (the certificate's CN, the IdP's name claim), only to
   * show them who is signed in: kept in memory and in the sealed session, never logged or stored.
   */
  name?: string | undefined;
}

/**
 * A verification that did not succeed. `code` is stable and machine-readable, `message` is safe to show
 * (never personal data); `detail` is for logs only and still carries no personal data.
 */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly code: string,
    message: string,
    /** Internal only: logged, never sent to the person. */
    readonly detail?: string,
  ) {
    super(message);
  }
}
