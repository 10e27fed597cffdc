// @openmydata/service-sdk: what an online service needs to receive a person's records from an
// OpenMyData hub. See README.md and docs/service-api.md.
export { AuthorizationRefused, DataCallError, DeliveryError, ServiceSdkError } from './errors.ts';
export { generateServiceKeys, publicJwks } from './keys.ts';
export { ServiceClient, type ServiceClientOptions, TRANSFER_DETAILS_TYPE } from './service-client.ts';
export type {
  Authorization,
  DataResult,
  DatasetRecord,
  DeliveredDataset,
  Delivery,
  Field,
  FieldType,
  PendingAuthorization,
  RecordValue,
  ServiceKeys,
  Verdict,
  WebhookEvent,
} from './types.ts';

import type { DatasetRecord, Delivery } from './types.ts';

/**
 * The verified records of one data set, typed as the service expects them (the catalogue lists the
 * fields and their types). Empty when the data set did not arrive or its package did not verify.
 */
export function recordsOf<T = DatasetRecord>(delivery: Delivery, dataset: string): T[] {
  const found = delivery.datasets.find((d) => d.dataset === dataset);
  return found?.verdict?.ok ? (found.records as unknown as T[]) : [];
}
