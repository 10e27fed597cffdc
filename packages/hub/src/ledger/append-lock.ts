// One writer at a time, across every hub process sharing the database, so indices are assigned
// gap-free in one total order. PostgreSQL: a transaction-scoped advisory lock (released on commit or
// rollback). SQLite: BEGIN IMMEDIATE takes the file's write lock up front (other processes wait up
// to busy_timeout), and Kysely's single connection already serialises this process.
import { sql } from 'kysely';
import type { Db, Engine } from '../store/database.ts';

/** Advisory lock id: "omdl" (OpenMyData ledger) as a 32-bit number. */
export const LEDGER_LOCK_ID = 0x6f6d646c;

export async function withLedgerLock<T>(db: Db, engine: Engine, work: (trx: Db) => Promise<T>): Promise<T> {
  if (engine === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LEDGER_LOCK_ID})`.execute(trx);
      return work(trx);
    });
  }
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
