// Step: now lies within notBefore..notAfter (inclusive) for every certificate on the path, anchor included.
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';

export function checkValidity(attempt: Attempt): void {
  const now = attempt.context.now.getTime();
  attempt.trustedPath.forEach((cert, position) => {
    if (now < cert.notBefore.getTime()) throw x509Error('certificate_not_yet_valid', `path position ${position}`);
    if (now > cert.notAfter.getTime()) throw x509Error('certificate_expired', `path position ${position}`);
  });
}
