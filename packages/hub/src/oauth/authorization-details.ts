// The one authorization_details type (RFC 9396) a service asks with: which of its registered
// services, and which of that service's data sets. Anything else is refused at the pushed request.
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { Service, ServiceDirectory } from '../catalog/service-repository.ts';

export const TRANSFER_DETAILS_TYPE = 'openmydata_transfer';

export interface TransferDetails {
  type: typeof TRANSFER_DETAILS_TYPE;
  service: string;
  datasets: string[];
}

/** A refusal with the words the service reads in error_description. */
export class DetailsRefused extends Error {
  override readonly name = 'DetailsRefused';
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ALLOWED = new Set(['type', 'service', 'datasets']);

/**
 * Checks one detail against the service registry and the catalogue, for the client asking.
 * Throws DetailsRefused naming the first problem.
 */
export async function checkTransferDetail(
  detail: Record<string, unknown>,
  clientId: string,
  deps: { directory: Pick<ServiceDirectory, 'service'>; catalogue: Pick<CatalogueService, 'dataset'> },
): Promise<{ details: TransferDetails; service: Service }> {
  const extra = Object.keys(detail).filter((k) => !ALLOWED.has(k));
  if (extra.length > 0) throw new DetailsRefused(`unknown member ${extra[0]}: a ${TRANSFER_DETAILS_TYPE} detail has type, service and datasets`);
  const { service: serviceId, datasets } = detail;
  if (typeof serviceId !== 'string' || !ID.test(serviceId)) throw new DetailsRefused('service must be the id of one of your registered services');
  const service = await deps.directory.service(serviceId);
  if (!service || service.clientId !== clientId) throw new DetailsRefused(`service ${serviceId} is not registered for this client`);
  if (!Array.isArray(datasets) || datasets.length === 0 || datasets.length > 50 || !datasets.every((d) => typeof d === 'string' && ID.test(d)))
    throw new DetailsRefused('datasets must list at least one data set id');
  if (new Set(datasets).size !== datasets.length) throw new DetailsRefused('datasets lists a data set twice');
  const outside = datasets.filter((d) => !service.datasets.includes(d));
  if (outside.length > 0) throw new DetailsRefused(`data set ${outside[0]} is not registered for service ${serviceId}`);
  for (const id of datasets) if (!(await deps.catalogue.dataset(id))) throw new DetailsRefused(`data set ${id} is not in the catalogue`);
  return { details: { type: TRANSFER_DETAILS_TYPE, service: serviceId, datasets: [...datasets] }, service };
}

/** The details of an authorization request as oidc-provider keeps them (a JSON string). */
export function parseRequestedDetails(raw: unknown): Array<Record<string, unknown>> | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) && parsed.every((d) => d !== null && typeof d === 'object' && !Array.isArray(d))
      ? (parsed as Array<Record<string, unknown>>)
      : undefined;
  } catch {
    return undefined;
  }
}
