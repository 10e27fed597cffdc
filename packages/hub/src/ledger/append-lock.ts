// One writer at a time, across every hub process sharing the database, so indices are assigned
// gap-free in one total order. PostgreSQL: a transaction-scoped advisory lock (released on commit or
// rollback). SQLite: the write transaction's BEGIN IMMEDIATE already holds the file's write lock.
import { sql } from 'kysely';
import type { Db, Engine } from '../store/database.ts';
import { writeTransaction } from '../store/transaction.ts';

/** Advisory lock id: "omdl" (OpenMyData ledger) as a 32-bit number. */
export const LEDGER_LOCK_ID = 0x6f6d646c;

/** Takes the ledger's lock inside a write transaction that is already open. */
export async function lockLedger(trx: Db, engine: Engine): Promise<void> {
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(${LEDGER_LOCK_ID})`.execute(trx);
}

export async function withLedgerLock<T>(db: Db, engine: Engine, work: (trx: Db) => Promise<T>): Promise<T> {
  return writeTransaction(db, engine, async (trx) => {
    await lockLedger(trx, engine);
    return work(trx);
  });
}
