// Passkeys (WebAuthn credentials) a person registered after a strong login. Keyed by the credential
// id; the person appears only as their subject key, and their national ID only sealed under the
// hub secret (see docs/identity-passkey.md for why this one column exists).
import { type Kysely, PostgresIntrospector } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.introspection instanceof PostgresIntrospector;
  await db.schema
    .createTable('passkeys')
    // base64url of the raw credential id (at most 1023 bytes, so at most 1364 characters).
    .addColumn('credential_id', 'varchar(1400)', (c) => c.primaryKey())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    // The WebAuthn user handle: random bytes, shared by one person's passkeys, meaningless alone.
    .addColumn('user_handle', 'varchar(128)', (c) => c.notNull())
    // COSE public key.
    .addColumn('public_key', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    // The signature counter is a uint32: beyond PostgreSQL's integer.
    .addColumn('counter', postgres ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    // AES-256-GCM under a key derived from HUB_SECRET and bound to this credential id.
    .addColumn('sealed_national_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('passkeys_subject').on('passkeys').column('subject_key').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('passkeys').execute();
}
