// The ledger: entries (leaf hash + canonical leaf bytes), stored perfect-subtree hashes, and signed
// tree heads. Column types differ by engine: SQLite's INTEGER PRIMARY KEY is the rowid itself and
// the node table needs no rowid; PostgreSQL takes bigint and bytea.
import { type Kysely, PostgresIntrospector, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.introspection instanceof PostgresIntrospector;
  const bytes = postgres ? 'bytea' : 'blob';
  const bigint = postgres ? 'bigint' : 'integer';

  await db.schema
    .createTable('ledger_entries')
    .addColumn('idx', bigint, (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'varchar(64)')
    .addColumn('subject_tag', bigint)
    .addColumn('leaf_hash', bytes, (c) => c.notNull())
    .addColumn('leaf', bytes)
    .execute();
  // A person's entries are found through the first 48 bits of their subject key (then matched on
  // the whole key): subject keys are random, so every append touches a random index page, and a
  // small integer index costs about a third of one over the 64-character key to keep up.
  await db.schema.createIndex('ledger_entries_subject').on('ledger_entries').column('subject_tag').execute();
  await db.schema.createIndex('ledger_entries_created').on('ledger_entries').column('created_at').execute();

  let nodes = db.schema
    .createTable('ledger_nodes')
    .addColumn('level', postgres ? 'smallint' : 'integer', (c) => c.notNull())
    .addColumn('idx', bigint, (c) => c.notNull())
    .addColumn('hash', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx']);
  if (!postgres) nodes = nodes.modifyEnd(sql`without rowid`);
  await nodes.execute();

  await db.schema
    .createTable('ledger_tree_heads')
    .addColumn('tree_size', bigint, (c) => c.primaryKey())
    .addColumn('timestamp', bigint, (c) => c.notNull())
    .addColumn('root_hash', bytes, (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('key_id', 'varchar(64)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ledger_tree_heads').execute();
  await db.schema.dropTable('ledger_nodes').execute();
  await db.schema.dropTable('ledger_entries').execute();
}
