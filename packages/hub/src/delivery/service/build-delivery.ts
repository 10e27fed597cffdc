// What a service receives: one compact JWE (ECDH-ES+A256KW, A256GCM) to its encryption key, whose
// payload is a manifest (every data set asked for, with its outcome, and for each delivered one the
// agency, the signing key id and the SHA-256 of its package) and each agency package exactly as the
// agency signed it, so the service checks provenance itself. docs/service-api.md describes it.
import { createHash } from 'node:crypto';
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import type { DatasetOutcome } from '../../broker/outcome.ts';
import { DELIVERY_ENC, DELIVERY_KEY_ALG } from '../../catalog/service-keys.ts';
import type { VerifiedOutcome } from '../../retrieval/delivery.ts';
import type { DatasetResult } from './transfers.ts';

export const DELIVERY_TYPE = 'openmydata-delivery+jwe';

export interface DeliveryManifest {
  version: 1;
  /** The hub that fetched and checked the packages (its OAuth issuer). */
  issuer: string;
  /** The transfer (one consent, one retrieval); the webhook and the token response name it too. */
  transfer: string;
  client_id: string;
  service: string;
  created_at: string;
  datasets: Array<DatasetResult & { package?: { sha256: string; kid: string; size: number } }>;
}

export interface DeliveryPayload {
  manifest: DeliveryManifest;
  /** Each delivered data set's agency package (ZIP), base64, by data set id. */
  packages: Record<string, string>;
}

export function resultsOf(outcomes: readonly DatasetOutcome[]): DatasetResult[] {
  return outcomes.map((o) => ({
    dataset: o.dataset,
    agency: o.agency ?? null,
    status: o.status === 'ok' ? 'ok' : o.status === 'no_data' ? 'no_data' : 'failed',
    reason: o.status === 'failed' ? o.reason : o.status === 'preparing' ? 'preparation_timeout' : null,
  }));
}

export async function buildDelivery(input: {
  issuer: string;
  transfer: string;
  clientId: string;
  serviceId: string;
  outcomes: readonly DatasetOutcome[];
  packages: readonly VerifiedOutcome[];
  key: JWK;
  now: Date;
}): Promise<string> {
  const archives = new Map(input.packages.map((p) => [p.dataset, p]));
  const manifest: DeliveryManifest = {
    version: 1,
    issuer: input.issuer,
    transfer: input.transfer,
    client_id: input.clientId,
    service: input.serviceId,
    created_at: input.now.toISOString(),
    datasets: resultsOf(input.outcomes).map((r) => {
      const verified = archives.get(r.dataset);
      return verified
        ? {
            ...r,
            package: { sha256: createHash('sha256').update(verified.archive).digest('hex'), kid: verified.package.kid, size: verified.archive.byteLength },
          }
        : r;
    }),
  };
  const payload: DeliveryPayload = {
    manifest,
    packages: Object.fromEntries(input.packages.map((p) => [p.dataset, Buffer.from(p.archive).toString('base64')])),
  };
  const key = await importJWK(input.key, DELIVERY_KEY_ALG);
  return new CompactEncrypt(Buffer.from(JSON.stringify(payload)))
    .setProtectedHeader({ alg: DELIVERY_KEY_ALG, enc: DELIVERY_ENC, kid: input.key.kid, typ: DELIVERY_TYPE, cty: 'json' })
    .encrypt(key);
}
