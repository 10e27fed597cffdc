// What the SDK hands a service, all plain data: what to keep in the person's session between the
// redirect and the callback, what to keep until the data arrive, and the delivery itself.
import type { JWK } from 'jose';

/** A service provider's keys, as private JWKs with their kid: one to sign with, one to decrypt deliveries with. */
export interface ServiceKeys {
  /** ES256 (EC P-256), PS256 (RSA) or EdDSA (Ed25519): client authentication (private_key_jwt). */
  signing: JWK;
  /** ECDH-ES+A256KW (EC P-256/384/521 or X25519): the hub encrypts each delivery to its public half. */
  encryption: JWK;
}

/** Keep this server-side (it holds the DPoP private key) until the callback. */
export interface PendingAuthorization {
  state: string;
  codeVerifier: string;
  /** The DPoP key pair the code, then the access token, are bound to. */
  dpopKey: { privateJwk: JWK; publicJwk: JWK };
  service: string;
  datasets: string[];
}

/** What the callback yields: keep it server-side until the data call succeeds. */
export interface Authorization {
  accessToken: string;
  dpopKey: { privateJwk: JWK; publicJwk: JWK };
  /** The hub's id of this transfer: the webhook names it too. */
  transfer: string;
  service: string;
  datasets: string[];
  /** When the access token (and the waiting delivery) expire. */
  expiresAt: string;
}

export type FieldType = 'string' | 'number' | 'date' | 'boolean' | 'image';

export interface Field {
  id: string;
  name: { 'zh-TW': string; en: string };
  type: FieldType;
}

export type RecordValue = string | number | boolean | null;
export type DatasetRecord = Record<string, RecordValue>;

/** The SDK's own check of one agency package: the agency's signature, against the agency's published keys. */
export type Verdict =
  | { ok: true; agency: string; kid: string }
  | {
      ok: false;
      /** package_signature_invalid, package_unknown_key, package_digest_mismatch, package_binding_mismatch, hub_digest_mismatch, agency_keys_unavailable, ... */
      code: string;
      message: string;
    };

export interface DeliveredDataset {
  dataset: string;
  agency: string | null;
  /** What the hub reports for this data set: delivered (ok), the agency has no records, or failed (with reason). */
  status: 'ok' | 'no_data' | 'failed';
  reason: string | null;
  /** For a delivered data set: whether its agency package verified. Records are given only when it did. */
  verdict?: Verdict;
  /** The data set's fields as the hub's catalogue registers them. */
  fields: Field[];
  records: DatasetRecord[];
  /** The agency's human-readable PDF, when the package verified. */
  pdf?: Uint8Array;
  /** The agency package exactly as the agency signed it, to keep as evidence. */
  archive?: Uint8Array;
}

export interface Delivery {
  transfer: string;
  service: string;
  issuer: string;
  createdAt: string;
  datasets: DeliveredDataset[];
  /** True when every data set asked for arrived and verified. */
  complete: boolean;
}

export type DataResult =
  | { status: 'preparing'; retryAfterSeconds: number; datasets: Array<{ dataset: string; state: string }> }
  | { status: 'delivered'; delivery: Delivery };

export interface WebhookEvent {
  event: 'delivery.ready' | 'delivery.failed';
  transfer: string;
  service: string;
}
