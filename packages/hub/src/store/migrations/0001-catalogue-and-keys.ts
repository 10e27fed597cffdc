import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agencies')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('jwks_url', 'text', (c) => c.notNull())
    .addColumn('maintenance', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('agency_id', 'varchar(64)', (c) => c.notNull().references('agencies.id'))
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('description_zh', 'text', (c) => c.notNull())
    .addColumn('description_en', 'text', (c) => c.notNull())
    .addColumn('category', 'varchar(64)', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('formats', 'text', (c) => c.notNull())
    .addColumn('min_assurance_level', 'integer', (c) => c.notNull())
    .addColumn('preparation_seconds', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('datasets_agency').on('datasets').column('agency_id').execute();
  await db.schema
    .createTable('hub_keys')
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kid', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('alg', 'varchar(16)', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('sealed_private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  // One active key per purpose per generation: concurrent hub processes racing to create the first
  // key collide here, and the loser reads the winner's key.
  await db.schema.createIndex('hub_keys_purpose_seq').unique().on('hub_keys').columns(['purpose', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('hub_keys').execute();
  await db.schema.dropTable('datasets').execute();
  await db.schema.dropTable('agencies').execute();
}
