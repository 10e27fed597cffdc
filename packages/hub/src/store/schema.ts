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

export interface Database {
  agencies: AgencyTable;
  datasets: DatasetTable;
  hub_keys: HubKeyTable;
}
