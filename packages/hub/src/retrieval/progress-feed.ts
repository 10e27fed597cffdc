// Live progress for pages that watch a retrieval (server-sent events), from the database, so the
// page may be served by another hub process than the one running the retrieval. One query per tick
// reads every watched retrieval at once; a change made by this process is pushed at once instead of
// waiting for the tick.
import type { Db } from '../store/database.ts';
import { datasetsOf, type DatasetProgress, type RetrievalStatus } from './retrieval-repository.ts';

export interface ProgressSnapshot {
  status: RetrievalStatus;
  datasets: DatasetProgress[];
}

type Listener = (snapshot: ProgressSnapshot) => void;

export class ProgressFeed {
  private readonly watchers = new Map<string, Set<Listener>>();
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private polling: Promise<void> | undefined;
  /** A change arrived while a poll was running: poll again right after it. */
  private again = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly pollMs = 500,
  ) {}

  /** Calls the listener with each new snapshot (the first at once). Returns the way to stop. */
  watch(retrievalId: string, listener: Listener): () => void {
    let set = this.watchers.get(retrievalId);
    if (!set) {
      set = new Set();
      this.watchers.set(retrievalId, set);
    }
    set.add(listener);
    // A new watcher wants the current state even if nothing changes.
    this.last.delete(retrievalId);
    this.changed(retrievalId);
    this.timer ??= setInterval(() => this.tick(), this.pollMs);
    return () => {
      const current = this.watchers.get(retrievalId);
      current?.delete(listener);
      if (current?.size === 0) {
        this.watchers.delete(retrievalId);
        this.last.delete(retrievalId);
      }
      if (this.watchers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** This process changed the retrieval: tell its watchers without waiting for the tick. */
  changed(retrievalId: string): void {
    if (this.closed || !this.watchers.has(retrievalId)) return;
    this.soon ??= setImmediate(() => {
      this.soon = undefined;
      this.tick();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = undefined;
    await this.polling;
  }

  private tick(): void {
    if (this.closed || this.watchers.size === 0) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.poll()
      .catch(() => {
        // A failed poll is retried on the next tick; the page keeps its last state meanwhile.
      })
      .finally(() => {
        this.polling = undefined;
        if (this.again) {
          this.again = false;
          this.tick();
        }
      });
  }

  private async poll(): Promise<void> {
    const ids = [...this.watchers.keys()];
    const found = await datasetsOf(this.db, ids);
    for (const id of ids) {
      const snapshot = found.get(id);
      if (!snapshot) continue;
      const key = JSON.stringify(snapshot);
      if (this.last.get(id) === key) continue;
      this.last.set(id, key);
      for (const listener of this.watchers.get(id) ?? []) listener(snapshot);
    }
  }
}
