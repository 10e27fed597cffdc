// Seals small secrets (the hub's private keys) for storage: AES-256-GCM under a key derived from
// HUB_SECRET, so a copy of the database alone does not hand out the hub's signing keys.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

function sealingKey(secret: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `openmydata seal ${label}`, 32));
}

export function seal(secret: Buffer, label: string, plaintext: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret, label), iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(secret: Buffer, label: string, sealed: string): Buffer {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret, label), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}
