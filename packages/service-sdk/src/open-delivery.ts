// Opens a delivery: decrypts the JWE with the service's key, reads the hub's manifest, and checks
// every agency package itself, in order: the package is the one the manifest describes (SHA-256),
// then the agency's own signature against the keys the agency publishes (the hub's catalogue says
// where), the binding to the agency and data set, every file's digest. A package that fails keeps
// its verdict and gives no records; the rest of the delivery is still usable.
import { createHash } from 'node:crypto';
import { compactDecrypt, importJWK, type JWK } from 'jose';
// The verification the hub itself runs, compiled into the SDK so it installs on its own.
import { type KeyResolver, PackageError, verifyPackage } from '../../protocol/src/package.ts';
import { PACKAGE_PATHS } from '../../protocol/src/provider-api.ts';
import { DeliveryError } from './errors.ts';
import type { HubCatalogue } from './hub-catalogue.ts';
import type { DatasetRecord, DeliveredDataset, Delivery, Verdict } from './types.ts';

interface ManifestEntry {
  dataset: string;
  agency: string | null;
  status: 'ok' | 'no_data' | 'failed';
  reason: string | null;
  package?: { sha256: string; kid: string; size: number };
}

interface Payload {
  manifest: { version: number; issuer: string; transfer: string; client_id: string; service: string; created_at: string; datasets: ManifestEntry[] };
  packages: Record<string, string>;
}

function isPayload(value: unknown): value is Payload {
  const v = value as Payload;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.manifest === 'object' &&
    v.manifest !== null &&
    v.manifest.version === 1 &&
    typeof v.manifest.transfer === 'string' &&
    typeof v.manifest.issuer === 'string' &&
    typeof v.manifest.client_id === 'string' &&
    Array.isArray(v.manifest.datasets) &&
    v.manifest.datasets.every((d) => typeof d?.dataset === 'string' && ['ok', 'no_data', 'failed'].includes(d.status)) &&
    typeof v.packages === 'object' &&
    v.packages !== null
  );
}

export async function openDelivery(jwe: string, input: { encryptionKey: JWK; issuer: string; clientId: string; catalogue: HubCatalogue }): Promise<Delivery> {
  let payload: unknown;
  try {
    const key = await importJWK(input.encryptionKey, 'ECDH-ES+A256KW');
    const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] });
    payload = JSON.parse(new TextDecoder().decode(plaintext));
  } catch (error) {
    throw new DeliveryError(`the delivery cannot be decrypted with this service's encryption key (${(error as Error).name})`);
  }
  if (!isPayload(payload)) throw new DeliveryError('the delivery holds no manifest the SDK understands');
  const { manifest } = payload;
  if (manifest.issuer !== input.issuer) throw new DeliveryError(`the delivery was made by ${manifest.issuer}, not by ${input.issuer}`);
  if (manifest.client_id !== input.clientId) throw new DeliveryError(`the delivery is for client ${manifest.client_id}`);
  const datasets = await Promise.all(manifest.datasets.map((entry) => checkOne(entry, payload as Payload, input.catalogue)));
  return {
    transfer: manifest.transfer,
    service: manifest.service,
    issuer: manifest.issuer,
    createdAt: manifest.created_at,
    datasets,
    complete: datasets.every((d) => d.status !== 'failed' && (d.status !== 'ok' || d.verdict?.ok === true)),
  };
}

async function checkOne(entry: ManifestEntry, payload: Payload, catalogue: HubCatalogue): Promise<DeliveredDataset> {
  const base: DeliveredDataset = {
    dataset: entry.dataset,
    agency: entry.agency,
    status: entry.status,
    reason: entry.reason,
    fields: await catalogue.fields(entry.dataset).catch(() => []),
    records: [],
  };
  if (entry.status !== 'ok') return base;
  const encoded = payload.packages[entry.dataset];
  if (typeof encoded !== 'string' || !entry.package || !entry.agency) {
    return { ...base, verdict: { ok: false, code: 'package_missing', message: 'the manifest lists a package the delivery does not hold' } };
  }
  const archive = new Uint8Array(Buffer.from(encoded, 'base64'));
  const withVerdict = (verdict: Verdict): DeliveredDataset => ({ ...base, verdict, archive });
  if (createHash('sha256').update(archive).digest('hex') !== entry.package.sha256) {
    return withVerdict({ ok: false, code: 'hub_digest_mismatch', message: 'the package is not the one the hub’s manifest describes' });
  }
  const keys = await catalogue.agencyKeys(entry.agency).catch(() => undefined);
  if (!keys) return withVerdict({ ok: false, code: 'agency_keys_unavailable', message: `the hub's catalogue names no keys for agency ${entry.agency}` });
  try {
    const verified = await verifyPackage(archive, { keys: keys as unknown as KeyResolver, expect: { agency: entry.agency, dataset: entry.dataset } });
    const data = JSON.parse(verified.files.get(PACKAGE_PATHS.data)?.toString('utf8') ?? '{}') as { records?: DatasetRecord[] };
    const pdf = verified.files.get(PACKAGE_PATHS.pdf);
    return {
      ...base,
      verdict: { ok: true, agency: verified.manifest.agency, kid: verified.kid },
      records: Array.isArray(data.records) ? data.records : [],
      archive,
      ...(pdf ? { pdf: new Uint8Array(pdf) } : {}),
    };
  } catch (error) {
    if (error instanceof PackageError) return withVerdict({ ok: false, code: error.code, message: error.message });
    return withVerdict({ ok: false, code: 'agency_keys_unavailable', message: `the agency's keys could not be checked (${(error as Error).name})` });
  }
}
