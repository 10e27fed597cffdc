// Tells a bad token or signature (the sender's fault) from keys that could not be fetched
// (nobody's fault yet: the caller should answer "try again", not "invalid").
const VERIFICATION_FAILURES = new Set([
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JWK_INVALID',
]);

export function joseCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when jose refused the token or signature itself; false for key-fetch and other failures. */
export function isVerificationFailure(error: unknown): boolean {
  const code = joseCode(error);
  return code !== undefined && VERIFICATION_FAILURES.has(code);
}
