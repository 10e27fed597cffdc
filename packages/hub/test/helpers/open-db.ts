// A migrated database of the engine under test, without a server, for repository-level tests.
import { type Db, openDatabase } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export async function openTestDb(): Promise<{ db: Db; database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const { db } = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  await migrateToLatest(db);
  return {
    db,
    database,
    async close() {
      await db.destroy();
      await database.cleanup();
    },
  };
}
