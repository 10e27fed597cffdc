// The demo card signer: a local helper that signs the hub's sign-in challenge with a chosen citizen card.
export { cardLabel, maskNationalId } from './card-label.ts';
export { startSigner, type RunningSigner, type SignerOptions } from './server.ts';
export { NONCE_SHAPE, type SignedChallenge, signNonce, signNonceAs, signWithCard } from './sign-nonce.ts';
export { type TrustFiles, trustFilesIn, writeIssuingCrl, writeTrustFiles } from './trust-files.ts';
