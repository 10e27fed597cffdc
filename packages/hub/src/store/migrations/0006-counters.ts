// Mode 2 (issue 11): the counters registry (offices, counter services, staff) and what a counter
// retrieval leaves between its steps. Nothing here is personal in the clear: the person is a subject
// key; the counter package, the notice address and a clerk's open case are sealed under keys the
// database never holds (the person's code, their session, the clerk's session).
import { type Kysely, PostgresIntrospector } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.introspection instanceof PostgresIntrospector;
  const bytes = postgres ? 'bytea' : 'blob';
  await db.schema
    .createTable('counter_offices')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('government_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('government_name_zh', 'text', (c) => c.notNull())
    .addColumn('government_name_en', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('address_zh', 'text', (c) => c.notNull())
    .addColumn('address_en', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('counter_services')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('office_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('purpose_zh', 'text', (c) => c.notNull())
    .addColumn('purpose_en', 'text', (c) => c.notNull())
    // JSON array of data set ids.
    .addColumn('datasets', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counter_services_office').on('counter_services').column('office_id').execute();
  await db.schema
    .createTable('counter_staff')
    // The sign-in name: a short handle chosen by the operator, not a person's name or ID.
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('office_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    // scrypt (memory-hard), with its parameters and salt.
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // The TOTP secret sealed under a key derived from HUB_SECRET.
    .addColumn('sealed_totp', 'text', (c) => c.notNull())
    // The last TOTP time step accepted: a code is never accepted twice.
    .addColumn('last_totp_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('counter_staff_sessions')
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('staff_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('console_id', 'varchar(64)', (c) => c.notNull())
    // Sealed under the key only the clerk's cookie carries.
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counter_staff_sessions_staff').on('counter_staff_sessions').column('staff_id').execute();
  await db.schema
    .createTable('counter_packages')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('retrieval_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('consent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('service_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('office_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('datasets', 'text', (c) => c.notNull())
    // AES-256-GCM under a random package key that is stored only wrapped (below and in counter_codes).
    .addColumn('ciphertext', bytes, (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    // The package key and notice address sealed under the retrieval key the person's session holds (re-issue).
    .addColumn('owner_sealed', 'text', (c) => c.notNull())
    // A console's claim while the person's confirmation code is out: one console at a time.
    .addColumn('claim_id', 'varchar(64)')
    .addColumn('claimed_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counter_packages_expires').on('counter_packages').column('expires_at').execute();
  await db.schema
    .createTable('counter_codes')
    // HMAC of the code under a key derived from HUB_SECRET: a database copy cannot list the codes.
    .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('package_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('retrieval_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('service_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('office_id', 'varchar(64)', (c) => c.notNull())
    // live, replaced (re-issued), used; the last two stay as tombstones so a clerk hears why.
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    // The package key and notice address sealed under a key derived (scrypt) from the code itself.
    .addColumn('wrapped', 'text')
    // The code sealed under the person's retrieval key, so their page can show it again.
    .addColumn('owner_code', 'text')
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('forget_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counter_codes_retrieval').on('counter_codes').column('retrieval_id').execute();
  await db.schema.createIndex('counter_codes_forget').on('counter_codes').column('forget_at').execute();
  await db.schema
    .createTable('counter_redemptions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('package_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('staff_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('console_id', 'varchar(64)', (c) => c.notNull())
    // HMAC of the confirmation code sent to the person.
    .addColumn('confirmation_hash', 'varchar(64)', (c) => c.notNull())
    // The package key and notice address sealed under the clerk's session key.
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('counter_cases')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('staff_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('office_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('service_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('consent_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('datasets', 'text', (c) => c.notNull())
    // The verified agency packages and their verdicts, sealed under the clerk's session key.
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('counter_failures')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    // console:<id> or staff:<id>
    .addColumn('lock_key', 'varchar(96)', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('counter_failures_key').on('counter_failures').columns(['lock_key', 'at']).execute();
  await db.schema
    .createTable('counter_lockouts')
    .addColumn('lock_key', 'varchar(96)', (c) => c.primaryKey())
    .addColumn('locked_until', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'counter_lockouts',
    'counter_failures',
    'counter_cases',
    'counter_redemptions',
    'counter_codes',
    'counter_packages',
    'counter_staff_sessions',
    'counter_staff',
    'counter_services',
    'counter_offices',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
