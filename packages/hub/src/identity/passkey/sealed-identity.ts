// The one place the hub keeps something it can turn back into a national ID: the ID stored with
// each passkey, sealed (AES-256-GCM) under a key derived from HUB_SECRET and bound to the
// credential id. WebAuthn gives the server no secret of the person's, and the hub needs the ID to
// fetch from agencies after a passkey login, so it must be able to open this itself. Bound to the
// credential id, a sealed ID moved onto another row (someone who can write to the database
// pointing their own passkey at another person's ID) does not open. Deleted with the passkey.
import { createHash } from 'node:crypto';
import { seal, unseal } from '../../keys/seal.ts';
import { subjectKeyer } from '../../keys/subject-key.ts';
import { passkeyError } from './errors.ts';

/** HKDF info is limited to 1024 bytes and credential ids may be longer: bind to their hash. */
function labelOf(credentialId: string): string {
  return `passkey:${createHash('sha256').update(credentialId, 'utf8').digest('base64url')}`;
}

export function sealNationalId(secret: Buffer, credentialId: string, nationalId: string): string {
  return seal(secret, labelOf(credentialId), Buffer.from(nationalId, 'utf8'));
}

/** The national ID, checked to belong to the row's subject key; passkey_invalid when it does not open or match. */
export function openNationalId(secret: Buffer, credentialId: string, sealed: string, subjectKey: string): string {
  let nationalId: string;
  try {
    nationalId = unseal(secret, labelOf(credentialId), sealed).toString('utf8');
  } catch {
    throw passkeyError('passkey_invalid', 'the sealed national ID of this passkey does not open (moved row or changed HUB_SECRET)');
  }
  let key: string | undefined;
  try {
    key = subjectKeyer(secret)(nationalId);
  } catch {
    key = undefined;
  }
  if (key !== subjectKey) throw passkeyError('passkey_invalid', 'the sealed national ID of this passkey does not match its subject key');
  return nationalId;
}
