// Step: the certificate's subject carries exactly one serialNumber attribute (OID 2.5.4.5) holding a valid
// national ID or resident certificate number (shape and checksum).
import { checkPersonIdentifier } from '@openmydata/protocol';
import type { Attempt } from './attempt.ts';
import { x509Error } from './errors.ts';

export const SUBJECT_SERIAL_NUMBER = '2.5.4.5';

export function readNationalId(attempt: Attempt): void {
  const values = attempt.certificate.subjectName.getField(SUBJECT_SERIAL_NUMBER);
  const [value] = values;
  if (values.length !== 1 || value === undefined) throw x509Error('identifier_invalid', `subject has ${values.length} serialNumber attributes`);
  const check = checkPersonIdentifier(value);
  // The reason (shape or checksum) is fine to log; the value itself never is.
  if (!check.ok) throw x509Error('identifier_invalid', `identifier fails ${check.reason}`);
  attempt.nationalId = check.value;
}
