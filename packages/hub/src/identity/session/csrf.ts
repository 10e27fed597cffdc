// CSRF tokens bound to the session's own key: a form rendered for one session is useless in another,
// and nothing extra is stored.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function csrfToken(sessionKey: Buffer): string {
  return createHmac('sha256', sessionKey).update('openmydata csrf').digest('base64url');
}

export function checkCsrf(sessionKey: Buffer, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length > 100) return false;
  const expected = Buffer.from(csrfToken(sessionKey));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
