// The X.509 citizen-certificate identity method.
export type { CrlSource, X509LoginInput } from './attempt.ts';
export { CHALLENGE_TTL_MS, type X509Challenge } from './challenge.ts';
export { crlsFromFiles } from './crl-files.ts';
export { X509_ERRORS, type X509ErrorCode } from './errors.ts';
export { SUBJECT_SERIAL_NUMBER } from './read-national-id.ts';
export { createX509Verifier, X509_PIPELINE, type X509Step, type X509Verifier, type X509VerifierOptions } from './verifier.ts';
