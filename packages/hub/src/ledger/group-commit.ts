// Group commit: appends that arrive while a commit is under way wait, and then all of them commit in
// one write transaction with one tree update, instead of one transaction (and one fsync, one lock
// round, one read of the tree's edge) each. Each caller's own rows run in a savepoint of their own,
// so one caller's failure rolls back that caller alone; every caller hears back only after the
// commit that holds its entries, so nothing is acknowledged that a crash could lose. Entries get
// indices in the order the callers arrived.
import { sql } from 'kysely';
import type { Db, Engine } from '../store/database.ts';
import { writeTransaction } from '../store/transaction.ts';
import { type AppendedEntry, appendCheckedInTransaction } from './append.ts';
import { type CheckedEntry, checkEntryInputs, type LedgerEntryInput } from './entry.ts';

export type Work<T> = (trx: Db) => Promise<{ entries: readonly LedgerEntryInput[]; value: T }>;

interface Job {
  work: Work<unknown>;
  /** Whether the work writes rows of its own (and so needs a savepoint to be undone alone). */
  writes: boolean;
  resolve(result: { value: unknown; appended: AppendedEntry[] }): void;
  reject(error: unknown): void;
}

/** How many callers one transaction takes at most; the rest wait for the next. */
const MAX_BATCH = 500;

export class GroupCommitter {
  private queue: Job[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly now: () => Date,
  ) {}

  /** `writes: false` for work that only returns entries: it needs no savepoint of its own. */
  submit<T>(work: Work<T>, options: { writes?: boolean } = {}): Promise<{ value: T; appended: AppendedEntry[] }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work: work as Work<unknown>, writes: options.writes ?? true, resolve: resolve as Job['resolve'], reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once everything submitted so far has been committed (or refused). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.commitBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commitBatch(batch: Job[]): Promise<void> {
    // Only the callers whose work succeeded are acknowledged after the commit.
    const done: Array<{ job: Job; value: unknown; count: number }> = [];
    const failed: Array<{ job: Job; error: unknown }> = [];
    let appended: AppendedEntry[] = [];
    try {
      await writeTransaction(this.db, this.engine, async (trx) => {
        const checked: CheckedEntry[] = [];
        for (const [i, job] of batch.entries()) {
          // A lone caller needs no savepoint: its failure rolls back the whole transaction anyway;
          // nor does work that writes nothing (its entries are checked before they are written).
          const savepoint = batch.length > 1 && job.writes ? sql.raw(`ledger_caller_${i}`) : undefined;
          if (savepoint) await sql`savepoint ${savepoint}`.execute(trx);
          try {
            const { entries, value } = await job.work(trx);
            const mine = checkEntryInputs(entries);
            checked.push(...mine);
            done.push({ job, value, count: mine.length });
            if (savepoint) await sql`release savepoint ${savepoint}`.execute(trx);
          } catch (error) {
            if (!savepoint && job.writes) throw error;
            if (savepoint) {
              await sql`rollback to savepoint ${savepoint}`.execute(trx);
              await sql`release savepoint ${savepoint}`.execute(trx);
            }
            failed.push({ job, error });
          }
        }
        appended = await appendCheckedInTransaction(trx, this.engine, checked, this.now());
      });
    } catch (error) {
      // The transaction itself failed: nothing of this batch was written.
      for (const job of batch) job.reject(error);
      return;
    }
    let offset = 0;
    for (const { job, value, count } of done) {
      job.resolve({ value, appended: appended.slice(offset, offset + count) });
      offset += count;
    }
    for (const { job, error } of failed) job.reject(error);
  }
}
