// Passkeys of counter staff (apart from the citizens' passkeys: a staff passkey names an account,
// never a person, and carries no sealed national ID), and the WebAuthn challenges the console hands
// out, kept in the database so any hub process can finish a ceremony another one began.
import { type Kysely, PostgresIntrospector } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.introspection instanceof PostgresIntrospector;
  await db.schema
    .createTable('counter_staff_passkeys')
    .addColumn('credential_id', 'varchar(1400)', (c) => c.primaryKey())
    .addColumn('staff_id', 'varchar(64)', (c) => c.notNull().references('counter_staff.id').onDelete('cascade'))
    .addColumn('user_handle', 'varchar(128)', (c) => c.notNull())
    .addColumn('public_key', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('counter', postgres ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('counter_staff_passkeys_staff').on('counter_staff_passkeys').column('staff_id').execute();
  await db.schema
    .createTable('counter_staff_challenges')
    // 'login:<console id>' or 'register:<session id hash>': one pending ceremony per console or session.
    .addColumn('holder', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('challenge', 'varchar(64)', (c) => c.notNull())
    .addColumn('staff_id', 'varchar(64)')
    .addColumn('user_handle', 'varchar(128)')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('counter_staff_challenges').execute();
  await db.schema.dropTable('counter_staff_passkeys').execute();
}
