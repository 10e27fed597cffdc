// Mode 3 (issue 10): the service registry, the authorization server's state and the service
// deliveries. Nothing here is personal: service providers and services are public registrations;
// the authorization server's records are keyed by a keyed hash of their ids and sealed under a
// key derived from those ids (bearer secrets the hub does not keep); a service delivery is a JWE
// only the service can open.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('service_providers')
    .addColumn('client_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    // Exactly one of the two: the public keys inline, or where the provider publishes them.
    .addColumn('jwks', 'text')
    .addColumn('jwks_uri', 'text')
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('services')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('start_url', 'text', (c) => c.notNull())
    .addColumn('datasets', 'text', (c) => c.notNull())
    .addColumn('purpose_zh', 'text', (c) => c.notNull())
    .addColumn('purpose_en', 'text', (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('privacy_policy_url', 'text', (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('services_client').on('services').column('client_id').execute();

  // oidc-provider's models (pushed requests, interactions, sessions, grants, codes, tokens, replay
  // markers), one row each. id_hash is an HMAC of the model and id; the payload is sealed under a
  // key derived from the id, so only whoever holds the id (the code, the token, the cookie) opens it.
  await db.schema
    .createTable('oauth_records')
    .addColumn('model', 'varchar(40)', (c) => c.notNull())
    .addColumn('id_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // Sessions are also looked up by their uid: the same payload sealed under the uid.
    .addColumn('uid_hash', 'varchar(64)')
    .addColumn('payload_by_uid', 'text')
    .addColumn('grant_hash', 'varchar(64)')
    .addColumn('consumed_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_records_pk', ['model', 'id_hash'])
    .execute();
  await db.schema.createIndex('oauth_records_uid').on('oauth_records').columns(['model', 'uid_hash']).execute();
  await db.schema.createIndex('oauth_records_grant').on('oauth_records').columns(['model', 'grant_hash']).execute();
  await db.schema.createIndex('oauth_records_expires').on('oauth_records').column('expires_at').execute();

  // DPoP proofs seen at the data endpoint, by a hash of their jti: each works once.
  await db.schema
    .createTable('dpop_proofs')
    .addColumn('jti_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dpop_proofs_expires').on('dpop_proofs').column('expires_at').execute();

  // One row per transfer to a service (one retrieval): its state, the per-data-set outcomes (codes
  // only), and while it waits for the one data call, the JWE to the service's key.
  await db.schema
    .createTable('service_transfers')
    .addColumn('retrieval_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('consent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('client_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('service_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('failure', 'varchar(40)')
    .addColumn('outcomes', 'text')
    .addColumn('ciphertext', 'text')
    .addColumn('size', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('ready_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('service_transfers_subject').on('service_transfers').columns(['subject_key', 'created_at']).execute();
  await db.schema.createIndex('service_transfers_expires').on('service_transfers').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['service_transfers', 'dpop_proofs', 'oauth_records', 'services', 'service_providers']) await db.schema.dropTable(table).execute();
}
