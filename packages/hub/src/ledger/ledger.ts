// The ledger service: appends entries, answers roots and proofs, makes signed tree heads and keeps
// the retention rule. Everything it knows lives in the database, so any number of hub processes can
// share one ledger.
import type { JWK } from 'jose';
import type { Logger } from '../log.ts';
import { currentSigningKey, type HubSigningKey } from '../keys/hub-keys.ts';
import type { Db, Engine } from '../store/database.ts';
import type { AppendedEntry } from './append.ts';
import { withLedgerLock } from './append-lock.ts';
import { checkEntryInputs, type LedgerEntryInput } from './entry.ts';
import { GroupCommitter } from './group-commit.ts';
import { type HistoryEntry, historyFor } from './history.ts';
import * as proofs from './proofs.ts';
import { insertTreeHead, readLatestTreeHead, readLeafHashes, readSubjectEntries, readTip, readTreeHeadKeys } from './repository.ts';
import { applyRetention, retentionCutoff } from './retention.ts';
import { type SignedTreeHead, signTreeHead } from './tree-head.ts';
import { intervalTicker, startTreeHeadTimer, type Ticker, type TreeHeadTimer } from './tree-head-timer.ts';

export interface LedgerOptions {
  db: Db;
  engine: Engine;
  /** The hub secret: it unseals the tree-head key. */
  secret: Buffer;
  logger?: Logger;
  now?: () => Date;
  /** How often, at most, entries wait for a signed tree head. Default one minute. */
  treeHeadIntervalMs?: number;
  /** Drives the tree-head timer instead of the interval (tests tick it by hand). */
  treeHeadTicker?: Ticker;
}

/** A tree size or index outside the log as it stands. */
export class LedgerRangeError extends RangeError {
  override readonly name = 'LedgerRangeError';
}

/** The stored log contradicts itself (e.g. a signed head larger than the log). */
export class LedgerIntegrityError extends Error {
  override readonly name = 'LedgerIntegrityError';
}

export class Ledger {
  private readonly db: Db;
  private readonly engine: Engine;
  private readonly secret: Buffer;
  private readonly now: () => Date;
  private signingKey: Promise<HubSigningKey> | undefined;
  private readonly committer: GroupCommitter;
  private timer: TreeHeadTimer | undefined;

  constructor(private readonly options: LedgerOptions) {
    this.db = options.db;
    this.engine = options.engine;
    this.secret = options.secret;
    this.now = options.now ?? (() => new Date());
    this.committer = new GroupCommitter(this.db, this.engine, this.now);
  }

  /**
   * Appends entries; they get consecutive indices in the order given. Appends from many callers at
   * once are committed together (group commit); each resolves once its entries are durable. A bad
   * entry refuses the whole call before anything is written.
   */
  async append(entries: readonly LedgerEntryInput[]): Promise<AppendedEntry[]> {
    checkEntryInputs(entries);
    return (await this.committer.submit(async () => ({ entries, value: undefined }), { writes: false })).appended;
  }

  /**
   * Runs `work` in one write transaction with the ledger: the rows it writes and the entries it
   * returns are committed together or not at all. A throw from `work` rolls back its own rows and
   * rejects; other callers committed in the same transaction are not affected.
   */
  async commit<T>(work: (trx: Db) => Promise<{ entries: readonly LedgerEntryInput[]; value: T }>): Promise<T> {
    return (await this.committer.submit(work)).value;
  }

  /** Resolves once every append submitted so far has been committed (before the database closes). */
  flush(): Promise<void> {
    return this.committer.idle();
  }

  async size(): Promise<number> {
    return (await readTip(this.db)).size;
  }

  async rootAt(treeSize: number): Promise<Buffer> {
    await this.requireSize(treeSize);
    return proofs.rootAt(this.db, treeSize);
  }

  async inclusionProof(index: number, treeSize: number): Promise<Buffer[]> {
    await this.requireSize(treeSize);
    if (!(Number.isSafeInteger(index) && index >= 0 && index < treeSize)) throw new LedgerRangeError('index must be below tree_size');
    return proofs.inclusionProof(this.db, index, treeSize);
  }

  async consistencyProof(first: number, second: number): Promise<Buffer[]> {
    await this.requireSize(second);
    if (!(Number.isSafeInteger(first) && first >= 1 && first <= second)) throw new LedgerRangeError('need 1 <= first <= second');
    return proofs.consistencyProof(this.db, first, second);
  }

  /** Leaf hashes of entries [start, end). */
  async leafHashes(start: number, end: number): Promise<Array<{ index: number; leafHash: Buffer }>> {
    return readLeafHashes(this.db, start, end);
  }

  entriesOf(subjectKey: string): Promise<Array<{ index: number; leaf: Buffer; leafHash: Buffer }>> {
    return readSubjectEntries(this.db, subjectKey);
  }

  latestTreeHead(): Promise<SignedTreeHead | undefined> {
    return readLatestTreeHead(this.db);
  }

  /** The latest signed tree head, signing a new one first when the log has grown past it. */
  async currentTreeHead(): Promise<SignedTreeHead> {
    const [{ size }, latest] = await Promise.all([readTip(this.db), readLatestTreeHead(this.db)]);
    if (latest && latest.treeSize === size) return latest;
    return this.signNewTreeHead();
  }

  /** Signs a head for the current size unless one exists; heads are made one at a time, in order. */
  async signNewTreeHead(): Promise<SignedTreeHead> {
    // The key is fetched before taking the lock: on SQLite the lock holds the only connection.
    const key = await this.treeHeadKey();
    return withLedgerLock(this.db, this.engine, async (trx) => {
      const { size } = await readTip(trx);
      const latest = await readLatestTreeHead(trx);
      if (latest && latest.treeSize === size) return latest;
      if (latest && latest.treeSize > size) throw new LedgerIntegrityError(`a tree head signs ${latest.treeSize} entries but the log holds ${size}`);
      const head = await signTreeHead(
        { treeSize: size, timestamp: Math.max(this.now().getTime(), latest?.timestamp ?? 0), rootHash: await proofs.rootAt(trx, size) },
        key,
      );
      await insertTreeHead(trx, head);
      return head;
    });
  }

  /** Every public key that has signed tree heads. */
  async publicKeys(): Promise<JWK[]> {
    return readTreeHeadKeys(this.db);
  }

  historyFor(subjectKey: string): Promise<HistoryEntry[]> {
    return historyFor(this, subjectKey);
  }

  /** Removes content older than `olderThan` (default: the retention period of two years). */
  applyRetention(olderThan: Date = retentionCutoff(this.now())): Promise<number> {
    return applyRetention(this.db, olderThan);
  }

  startTreeHeadTimer(): void {
    if (this.timer) return;
    const ticker = this.options.treeHeadTicker ?? intervalTicker(this.options.treeHeadIntervalMs ?? 60_000);
    this.timer = startTreeHeadTimer(() => this.signIfGrown(), ticker, this.options.logger);
  }

  /** Stops signing on a timer; resolves once a signing under way has finished (before the database closes). */
  async stopTreeHeadTimer(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    await timer?.stop();
  }

  private async signIfGrown(): Promise<void> {
    const [{ size }, latest] = await Promise.all([readTip(this.db), readLatestTreeHead(this.db)]);
    if (size > (latest?.treeSize ?? 0)) await this.signNewTreeHead();
  }

  private treeHeadKey(): Promise<HubSigningKey> {
    this.signingKey ??= currentSigningKey(this.db, this.secret, 'ledger-sth').catch((error: unknown) => {
      this.signingKey = undefined;
      throw error;
    });
    return this.signingKey;
  }

  private async requireSize(treeSize: number): Promise<void> {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new LedgerRangeError('tree_size must be a whole number');
    const { size } = await readTip(this.db);
    if (treeSize > size) throw new LedgerRangeError(`the log holds ${size} entries`);
  }
}
