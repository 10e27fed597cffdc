// Packages prepared asynchronously, waiting in memory (never on disk) for the hub to collect them once.
import { createHmac, randomBytes } from 'node:crypto';

export type PreparationOutcome = { kind: 'package'; zip: Buffer } | { kind: 'empty' } | { kind: 'failed' };

/** What the request that started a preparation was about; follow-ups must match it. */
export interface PreparationBinding {
  subjectDigest: string;
  dataset: string;
  consentId: string;
}

export interface Preparation {
  binding: PreparationBinding;
  startedAt: number;
  /** Epoch ms before which the package is not handed out, even when the work finished earlier. */
  readyAt: number;
  outcome?: PreparationOutcome;
}

export class PreparationStore {
  readonly #entries = new Map<string, Preparation>();
  readonly #now: () => Date;
  readonly #maxAgeMs: number;
  // Keyed digest, so the subject is not kept in memory beside the transaction id longer than the work needs.
  readonly #digestKey = randomBytes(32);
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { now: () => Date; maxAgeSeconds: number }) {
    this.#now = options.now;
    this.#maxAgeMs = options.maxAgeSeconds * 1000;
  }

  bind(subject: string, dataset: string, consentId: string): PreparationBinding {
    return { subjectDigest: createHmac('sha256', this.#digestKey).update(subject).digest('base64url'), dataset, consentId };
  }

  static sameBinding(a: PreparationBinding, b: PreparationBinding): boolean {
    return a.subjectDigest === b.subjectDigest && a.dataset === b.dataset && a.consentId === b.consentId;
  }

  get(transactionId: string): Preparation | undefined {
    this.sweep();
    return this.#entries.get(transactionId);
  }

  /** Starts the work now; its outcome is recorded whenever it settles. */
  start(transactionId: string, binding: PreparationBinding, readyAt: number, work: () => Promise<PreparationOutcome>): Preparation {
    const preparation: Preparation = { binding, startedAt: this.#now().getTime(), readyAt };
    this.#entries.set(transactionId, preparation);
    this.#scheduleSweep();
    void work().then(
      (outcome) => {
        preparation.outcome = outcome;
      },
      () => {
        preparation.outcome = { kind: 'failed' };
      },
    );
    return preparation;
  }

  /** Hands the preparation out once: it is gone from the store afterwards. */
  take(transactionId: string): void {
    this.#entries.delete(transactionId);
    this.#stopSweepWhenEmpty();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops preparations older than the maximum age, collected or not. */
  sweep(): void {
    const oldest = this.#now().getTime() - this.#maxAgeMs;
    for (const [transactionId, preparation] of this.#entries) {
      if (preparation.startedAt <= oldest) this.#entries.delete(transactionId);
    }
    this.#stopSweepWhenEmpty();
  }

  /** Stops the background sweep; entries stay until taken or read after their age. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  // A timer only while something waits, so an idle provider holds nothing and keeps no timer.
  #scheduleSweep(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, this.#maxAgeMs / 4)));
    this.#timer.unref();
  }

  #stopSweepWhenEmpty(): void {
    if (this.#entries.size === 0) this.close();
  }
}
