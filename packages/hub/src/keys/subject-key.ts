// Pseudonyms keyed by the hub secret. The only way a person appears in the database: HMAC-SHA-256
// of their normalised national ID under a key derived (HKDF-SHA-256) from the hub secret. Without the secret the key cannot be
// recomputed from an ID, and the ID cannot be recovered from the key.
import { createHmac, hkdfSync } from 'node:crypto';
import { checkPersonIdentifier } from '@openmydata/protocol';

const LABEL = 'openmydata subject key';

export class SubjectIdError extends Error {
  override readonly name = 'SubjectIdError';
  constructor(readonly reason: 'shape' | 'checksum') {
    super(`not a valid national ID or resident certificate number (${reason})`);
  }
}

/** Derives the HMAC key once; the returned function maps a national ID to its subject key (hex). */
export function subjectKeyer(secret: Buffer): (nationalId: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), LABEL, 32));
  return (nationalId) => {
    const id = checkPersonIdentifier(nationalId);
    if (!id.ok) throw new SubjectIdError(id.reason);
    return createHmac('sha256', key).update(id.value, 'utf8').digest('hex');
  };
}

export function subjectKey(secret: Buffer, nationalId: string): string {
  return subjectKeyer(secret)(nationalId);
}

/** Keyed, one-way pseudonym of a client address, so rate-limit rows hold no reversible IPs. */
export function clientPseudonymer(secret: Buffer): (address: string) => string {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'openmydata client pseudonym', 32));
  return (address) => createHmac('sha256', key).update(address).digest('hex').slice(0, 32);
}
