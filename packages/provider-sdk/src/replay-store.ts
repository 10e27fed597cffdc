// Remembers request-token ids (jti) until their token could no longer be accepted, so each token is used once.

export interface ReplayStore {
  /**
   * Records jti until expiresAt. Returns true when it was new, false when it had been seen
   * (the check and the record must be one atomic step).
   */
  remember(jti: string, expiresAt: Date): boolean | Promise<boolean>;
}

/** One process, in memory. Several agency processes behind a balancer need a shared store. */
export class MemoryReplayStore implements ReplayStore {
  readonly #seen = new Map<string, number>();
  readonly #now: () => Date;
  #nextSweep = 0;

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  remember(jti: string, expiresAt: Date): boolean {
    const now = this.#now().getTime();
    this.#sweep(now);
    const until = this.#seen.get(jti);
    if (until !== undefined && until > now) return false;
    this.#seen.set(jti, expiresAt.getTime());
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 10_000;
    for (const [jti, until] of this.#seen) if (until <= now) this.#seen.delete(jti);
  }
}
