// The 6-digit code that stands in for the mobile ID app's confirmation. In real life the page and
// the person's phone both show a short code and the person confirms on the phone that they match;
// here the page shows the code and the person types it back, which proves the same thing the demo
// needs (a human looked at this sign-in request and approved it). It is derived from the interaction
// id with a per-process key, so it needs no storage and is different for every sign-in.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ConfirmationCodes {
  codeFor(interactionUid: string): string;
  matches(interactionUid: string, typed: string): boolean;
}

export function createConfirmationCodes(secret: Buffer): ConfirmationCodes {
  const codeFor = (uid: string): string => {
    const digest = createHmac('sha256', secret).update(uid).digest();
    return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
  };
  return {
    codeFor,
    matches(uid, typed) {
      const expected = Buffer.from(codeFor(uid));
      // People copy "123 456" with the space the page shows; accept it.
      const given = Buffer.from(typed.replace(/\s+/g, ''));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
