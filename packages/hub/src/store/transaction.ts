// Write transactions that behave alike on both engines. PostgreSQL: an ordinary transaction.
// SQLite: BEGIN IMMEDIATE takes the file's write lock up front, so a transaction that reads and then
// writes cannot fail half-way with SQLITE_BUSY when another process writes meanwhile (other processes
// wait up to busy_timeout), and Kysely's single connection already serialises this process.
import { sql } from 'kysely';
import type { Db, Engine } from './database.ts';

export async function writeTransaction<T>(db: Db, engine: Engine, work: (trx: Db) => Promise<T>): Promise<T> {
  if (engine === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}
