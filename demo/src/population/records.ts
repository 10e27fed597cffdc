// What each demo agency holds on a person, per data set; null means "nothing", which agencies answer with 204.
import type { Citizen } from './citizen.ts';
import { CITIZENS, findCitizen } from './citizens.ts';
import type { DatasetId, DatasetRecords, FieldValue } from './dataset-fields.ts';
import { income, incomeTaxCertificate, property } from './finance-records.ts';
import { householdPersonal, householdWhole, idCardImage } from './household-records.ts';
import { labourInsurance, nhiEnrolment, nhiPremiums } from './insurance-records.ts';
import { cadastral, realPrice } from './land-records.ts';
import { driverLicence, trafficViolations, vehicles } from './vehicle-records.ts';
import { lowIncome } from './welfare-records.ts';

export type {
  DatasetId,
  DatasetRecords,
  DemoAgencyId,
  FieldDefinition,
  FieldType,
  FieldValue,
} from './dataset-fields.ts';
export { DATASET_AGENCY, DATASET_FIELDS, DATASET_IDS, DATASET_NAMES } from './dataset-fields.ts';

type Builder = (citizen: Citizen, population: readonly Citizen[]) => Array<Record<string, FieldValue>>;

const BUILDERS: Readonly<Record<DatasetId, Builder>> = {
  'household-personal': householdPersonal,
  'household-whole': householdWhole,
  'id-card-image': idCardImage,
  'labour-insurance': labourInsurance,
  'nhi-enrolment': nhiEnrolment,
  'nhi-premiums': nhiPremiums,
  income,
  property,
  'income-tax-certificate': incomeTaxCertificate,
  vehicles,
  'driver-licence': driverLicence,
  'traffic-violations': trafficViolations,
  cadastral,
  'real-price': realPrice,
  'low-income': lowIncome,
};

export function recordsFor(datasetId: DatasetId, nationalId: string, population: readonly Citizen[] = CITIZENS): DatasetRecords | null {
  const citizen = findCitizen(nationalId, population);
  if (!citizen) return null;
  const build = BUILDERS[datasetId];
  if (!build) return null;
  const records = build(citizen, population);
  return records.length > 0 ? { records } : null;
}
