import { type Kysely, PostgresIntrospector } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    // Sealed under a key that only the person's cookie carries: the hub cannot read it alone.
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'varchar(64)')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('known_subjects')
    .addColumn('subject_key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('consents')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('datasets', 'text', (c) => c.notNull())
    .addColumn('recipient_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('recipient_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('consents_subject').on('consents').columns(['subject_key', 'status']).execute();
  // Download packages waiting to be fetched: ciphertext under the person's password only.
  await db.schema
    .createTable('downloads')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('consent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('ciphertext', db.introspection instanceof PostgresIntrospector ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('downloads').execute();
  await db.schema.dropTable('consents').execute();
  await db.schema.dropTable('known_subjects').execute();
  await db.schema.dropTable('rate_limits').execute();
  await db.schema.dropTable('sessions').execute();
}
