// Table types for Kysely. JSON columns are stored as text on both engines.
import type { ColumnType, Generated } from 'kysely';

export interface AgencyTable {
  id: string;
  name_zh: string;
  name_en: string;
  base_url: string;
  jwks_url: string;
  maintenance: string;
  updated_at: string;
  /** 'registry_file' (the file the hub starts with owns it) or 'operator' (npm run operator -- agency add). */
  source: ColumnType<'registry_file' | 'operator', 'registry_file' | 'operator' | undefined, 'registry_file' | 'operator'>;
}

export interface DatasetTable {
  id: string;
  agency_id: string;
  name_zh: string;
  name_en: string;
  description_zh: string;
  description_en: string;
  category: string;
  fields: string;
  formats: string;
  min_assurance_level: number;
  preparation_seconds: number;
  position: number;
  updated_at: string;
}

export interface HubKeyTable {
  kid: string;
  purpose: string;
  alg: string;
  public_jwk: string;
  /** The private JWK sealed with AES-256-GCM under a key derived from HUB_SECRET. */
  sealed_private_jwk: string;
  created_at: string;
  retired_at: ColumnType<string | null, string | null | undefined, string | null>;
  seq: Generated<number>;
}

/** PostgreSQL returns bigint columns as strings; read them through Number(). */
type BigIntColumn = ColumnType<number | string, number, number>;

export interface LedgerEntryTable {
  idx: BigIntColumn;
  created_at: string;
  /** HMAC subject key; null for entries about no person and after retention. */
  subject_key: string | null;
  /** The subject key's first 48 bits, indexed: see migration 0002. */
  subject_tag: ColumnType<number | string | null, number | null, number | null>;
  leaf_hash: Buffer;
  /** Canonical leaf bytes; null once retention has removed the content. */
  leaf: Buffer | null;
}

/** Hashes of complete perfect subtrees of level >= 1: 2^level leaves from idx * 2^level. */
export interface LedgerNodeTable {
  level: number;
  idx: BigIntColumn;
  hash: Buffer;
}

export interface LedgerTreeHeadTable {
  tree_size: BigIntColumn;
  /** Milliseconds since the epoch. */
  timestamp: BigIntColumn;
  root_hash: Buffer;
  /** Detached compact JWS (ES256) over the canonical tree head. */
  signature: string;
  key_id: string;
}

export interface SessionTable {
  id_hash: string;
  sealed: string;
  subject_key: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface RateLimitTable {
  key: string;
  window_start: string;
  count: number;
}

export interface KnownSubjectTable {
  subject_key: string;
  first_seen_at: string;
}

export interface ConsentTable {
  id: string;
  subject_key: string;
  /** JSON array of data set ids. */
  datasets: string;
  recipient_kind: 'self' | 'counter' | 'service' | 'operator';
  recipient_id: string;
  purpose: string;
  status: 'granted' | 'used' | 'revoked';
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  /** The signed consent receipt (compact JWS); null for an operator's authorisation. */
  receipt: string | null;
}

export interface RetrievalTable {
  id: string;
  consent_id: string;
  subject_key: string;
  recipient_kind: ConsentTable['recipient_kind'];
  recipient_id: string;
  status: 'running' | 'done' | 'failed';
  failure: string | null;
  delivery_ref: string | null;
  owner: string;
  heartbeat_at: string;
  created_at: string;
  finished_at: string | null;
  delivered_at: string | null;
  expires_at: string;
  sealed_preview: string | null;
  preview_expires_at: string | null;
  sealed_notice: string | null;
}

export interface RetrievalDatasetTable {
  retrieval_id: string;
  dataset: string;
  position: number;
  agency: string | null;
  state: string;
  reason: string | null;
  retry_after_seconds: number | null;
  updated_at: string;
}

export interface DownloadTable {
  id: string;
  token_hash: string;
  subject_key: string;
  consent_id: string;
  ciphertext: Buffer;
  size: number;
  created_at: string;
  expires_at: string;
}

export interface Database {
  agencies: AgencyTable;
  datasets: DatasetTable;
  hub_keys: HubKeyTable;
  sessions: SessionTable;
  rate_limits: RateLimitTable;
  known_subjects: KnownSubjectTable;
  consents: ConsentTable;
  downloads: DownloadTable;
  retrievals: RetrievalTable;
  retrieval_datasets: RetrievalDatasetTable;
  ledger_entries: LedgerEntryTable;
  ledger_nodes: LedgerNodeTable;
  ledger_tree_heads: LedgerTreeHeadTable;
  passkeys: PasskeyTable;
  // mode 3: services (migration 0007)
  service_providers: ServiceProviderTable;
  services: ServiceTable;
  oauth_records: OAuthRecordTable;
  dpop_proofs: DpopProofTable;
  service_transfers: ServiceTransferTable;
}

/** A passkey (WebAuthn credential) bound to a person after a strong login: see migration 0004. */
export interface PasskeyTable {
  /** base64url of the raw credential id. */
  credential_id: string;
  subject_key: string;
  /** base64url of the random WebAuthn user handle shared by one person's passkeys. */
  user_handle: string;
  /** COSE public key. */
  public_key: Buffer;
  counter: BigIntColumn;
  /** JSON array of transport hints. */
  transports: string;
  /** The national ID sealed under HUB_SECRET, bound to credential_id; deleted with the row. */
  sealed_national_id: string;
  created_at: string;
  last_used_at: string | null;
}

// Mode 3 (migration 0007): the service registry, the authorization server's records, transfers.
export interface ServiceProviderTable {
  client_id: string;
  name_zh: string;
  name_en: string;
  /** The provider's public JWKS as JSON, or null when jwks_uri is given. */
  jwks: string | null;
  jwks_uri: string | null;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  updated_at: string;
}

export interface ServiceTable {
  id: string;
  client_id: string;
  name_zh: string;
  name_en: string;
  start_url: string;
  /** JSON array of the data set ids the service may ask for. */
  datasets: string;
  purpose_zh: string;
  purpose_en: string;
  retention_days: number;
  privacy_policy_url: string;
  webhook_url: string | null;
  position: number;
  updated_at: string;
}

export interface OAuthRecordTable {
  model: string;
  id_hash: string;
  /** The model's payload sealed under a key derived from its id. */
  payload: string;
  uid_hash: string | null;
  payload_by_uid: string | null;
  grant_hash: string | null;
  consumed_at: string | null;
  expires_at: string;
}

export interface DpopProofTable {
  jti_hash: string;
  expires_at: string;
}

export interface ServiceTransferTable {
  retrieval_id: string;
  consent_id: string;
  subject_key: string;
  client_id: string;
  service_id: string;
  status: 'waiting' | 'ready' | 'failed' | 'delivered' | 'revoked';
  failure: string | null;
  /** JSON array of { dataset, agency, status, reason }: codes only. */
  outcomes: string | null;
  /** The compact JWE to the service's encryption key, until the one data call takes it. */
  ciphertext: string | null;
  size: number | null;
  created_at: string;
  ready_at: string | null;
  delivered_at: string | null;
  revoked_at: string | null;
  expires_at: string;
}

// mode 2: counter (migration 0006). Declared as a second part of Database (interfaces merge), so
// this block stays apart from the others.
export interface Database {
  counter_offices: CounterOfficeTable;
  counter_services: CounterServiceTable;
  counter_staff: CounterStaffTable;
  counter_staff_sessions: CounterStaffSessionTable;
  counter_packages: CounterPackageTable;
  counter_codes: CounterCodeTable;
  counter_redemptions: CounterRedemptionTable;
  counter_cases: CounterCaseTable;
  counter_failures: CounterFailureTable;
  counter_lockouts: CounterLockoutTable;
  // migration 0009
  counter_staff_passkeys: CounterStaffPasskeyTable;
  counter_staff_challenges: CounterStaffChallengeTable;
}

/** A counter clerk's passkey (migration 0009): bound to the account, so to its office. */
export interface CounterStaffPasskeyTable {
  credential_id: string;
  staff_id: string;
  user_handle: string;
  public_key: Buffer;
  counter: BigIntColumn;
  transports: string;
  created_at: string;
  last_used_at: string | null;
}

/** A WebAuthn challenge the console handed out, taken once (migration 0009). */
export interface CounterStaffChallengeTable {
  holder: string;
  challenge: string;
  staff_id: string | null;
  user_handle: string | null;
  expires_at: string;
}

export interface CounterOfficeTable {
  id: string;
  government_id: string;
  government_name_zh: string;
  government_name_en: string;
  name_zh: string;
  name_en: string;
  address_zh: string;
  address_en: string;
  position: number;
  updated_at: string;
}

export interface CounterServiceTable {
  id: string;
  office_id: string;
  name_zh: string;
  name_en: string;
  purpose_zh: string;
  purpose_en: string;
  /** JSON array of data set ids. */
  datasets: string;
  position: number;
  updated_at: string;
}

export interface CounterStaffTable {
  id: string;
  office_id: string;
  role: 'clerk' | 'supervisor';
  password_hash: string;
  sealed_totp: string;
  last_totp_step: ColumnType<number, number | undefined, number>;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CounterStaffSessionTable {
  id_hash: string;
  staff_id: string;
  console_id: string;
  sealed: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface CounterPackageTable {
  id: string;
  retrieval_id: string;
  consent_id: string;
  subject_key: string;
  service_id: string;
  office_id: string;
  datasets: string;
  ciphertext: Buffer;
  size: number;
  owner_sealed: string;
  claim_id: string | null;
  claimed_until: string | null;
  created_at: string;
  expires_at: string;
}

export interface CounterCodeTable {
  code_hash: string;
  package_id: string;
  retrieval_id: string;
  subject_key: string;
  service_id: string;
  office_id: string;
  status: 'live' | 'replaced' | 'used';
  wrapped: string | null;
  owner_code: string | null;
  issued_at: string;
  expires_at: string;
  used_at: string | null;
  forget_at: string;
}

export interface CounterRedemptionTable {
  id: string;
  package_id: string;
  code_hash: string;
  staff_id: string;
  console_id: string;
  confirmation_hash: string;
  sealed: string;
  created_at: string;
  expires_at: string;
}

export interface CounterCaseTable {
  id: string;
  staff_id: string;
  office_id: string;
  service_id: string;
  subject_key: string;
  consent_id: string;
  datasets: string;
  sealed: string;
  created_at: string;
  expires_at: string;
}

export interface CounterFailureTable {
  id: string;
  lock_key: string;
  at: string;
}

export interface CounterLockoutTable {
  lock_key: string;
  locked_until: string;
}
