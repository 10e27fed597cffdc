// Social assistance data set (衛生福利部社會救助及社工司): low-income household certificates.
import type { Citizen } from './citizen.ts';
import { REFERENCE_DATE } from './dates.ts';
import type { FieldValue } from './dataset-fields.ts';

type Row = Record<string, FieldValue>;

/** Expired certificates stay listed so a person can prove past status (some subsidies look back). */
export function lowIncome(citizen: Citizen): Row[] {
  return citizen.lowIncome.map((certificate) => ({
    category: certificate.category,
    household_head_name: certificate.headName,
    household_members: certificate.members,
    valid_from: certificate.validFrom,
    valid_to: certificate.validTo,
    issuing_office: certificate.office,
    status: certificate.validTo >= REFERENCE_DATE ? '有效' : '已失效',
  }));
}
