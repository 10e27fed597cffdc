// Where an agency's registration came from: the registry file a hub starts with ('registry_file'),
// or the operator command ('operator'). A restart makes the catalogue match the file for the
// agencies the file owns, and leaves the operator's registrations alone.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agencies')
    .addColumn('source', 'varchar(16)', (c) => c.notNull().defaultTo('registry_file'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agencies').dropColumn('source').execute();
}
