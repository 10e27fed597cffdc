// Step: the certificate's key signed the nonce. ES256 only: ECDSA on P-256 with SHA-256 over the nonce's
// UTF-8 bytes, signature in IEEE P1363 form (r || s, 32 bytes each, as WebCrypto and JOSE produce), base64url.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';

const SIGNATURE_SHAPE = /^[A-Za-z0-9_-]{86}$/; // 64 bytes, unpadded

function p256KeyOf(attempt: Attempt): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(attempt.certificate.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw x509Error('certificate_invalid', 'public key unreadable');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw x509Error('certificate_invalid', 'public key is not EC P-256');
  }
  return key;
}

export function checkNonceSignature(attempt: Attempt): void {
  const { algorithm = 'ES256', signature, nonce } = attempt.input;
  if (algorithm !== 'ES256') throw x509Error('signature_invalid', 'unsupported algorithm');
  const key = p256KeyOf(attempt);
  if (typeof signature !== 'string' || !SIGNATURE_SHAPE.test(signature)) throw x509Error('signature_invalid', 'signature is not 64 bytes of base64url');
  const ok = verify('sha256', Buffer.from(nonce, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw x509Error('signature_invalid');
}
