// The retrieval core's shared state (issue 7): each retrieval's progress per data set, its outcome
// and its delivery, so any hub process can serve any step. Nothing here is personal: the person is
// a subject key, data sets and agencies are ids, and what a person may see later (the preview, the
// notice address) is sealed under a key that only their session holds.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The signed consent receipt (a JWS naming the subject key, never the person), kept with its consent.
  await db.schema.alterTable('consents').addColumn('receipt', 'text').execute();
  await db.schema
    .createTable('retrievals')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('consent_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('subject_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('recipient_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('recipient_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('failure', 'varchar(32)')
    .addColumn('delivery_ref', 'varchar(64)')
    // The hub process running it, and when that process last said it still was.
    .addColumn('owner', 'varchar(64)', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    // AES-256-GCM under the retrieval key, which only the person's session carries.
    .addColumn('sealed_preview', 'text')
    .addColumn('preview_expires_at', 'text')
    .addColumn('sealed_notice', 'text')
    .execute();
  await db.schema.createIndex('retrievals_status').on('retrievals').columns(['status', 'heartbeat_at']).execute();
  await db.schema.createIndex('retrievals_expires').on('retrievals').column('expires_at').execute();
  await db.schema
    .createTable('retrieval_datasets')
    .addColumn('retrieval_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('dataset', 'varchar(64)', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('agency', 'varchar(64)')
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('reason', 'varchar(32)')
    .addColumn('retry_after_seconds', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('retrieval_datasets_pk', ['retrieval_id', 'dataset'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('retrieval_datasets').execute();
  await db.schema.dropTable('retrievals').execute();
  await db.schema.alterTable('consents').dropColumn('receipt').execute();
}
