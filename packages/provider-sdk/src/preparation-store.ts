// Packages prepared asynchronously, waiting in memory (never on disk) for the hub to collect them.
// Once handed out, a package is kept a short while for a retry of the same transaction whose answer
// was lost on the way (docs/provider-api.md section 7.2), then dropped.
import { createHmac, randomBytes } from 'node:crypto';

export type PreparationOutcome = { kind: 'package'; zip: Buffer } | { kind: 'empty' } | { kind: 'failed' };

/** What a finished preparation reports: never the subject or a record. */
export interface PreparationSettled {
  dataset: string;
  transactionId: string;
  outcome: PreparationOutcome['kind'];
  elapsedMs: number;
}

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
  /** Epoch ms of the first hand-out; from then on the same outcome is handed out again until the re-delivery window ends. */
  deliveredAt?: number;
}

export class PreparationStore {
  readonly #entries = new Map<string, Preparation>();
  readonly #now: () => Date;
  readonly #maxAgeMs: number;
  readonly #redeliveryMs: number;
  // Keyed digest, so the subject is not kept in memory beside the transaction id longer than the work needs.
  readonly #digestKey = randomBytes(32);
  #timer: NodeJS.Timeout | undefined;

  readonly #onSettled: ((info: PreparationSettled) => void) | undefined;

  constructor(options: {
    now: () => Date;
    maxAgeSeconds: number;
    redeliverySeconds: number;
    onSettled?: ((info: PreparationSettled) => void) | undefined;
  }) {
    this.#onSettled = options.onSettled;
    this.#now = options.now;
    this.#maxAgeMs = options.maxAgeSeconds * 1000;
    this.#redeliveryMs = options.redeliverySeconds * 1000;
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
    const settle = (outcome: PreparationOutcome) => {
      preparation.outcome = outcome;
      try {
        this.#onSettled?.({ dataset: binding.dataset, transactionId, outcome: outcome.kind, elapsedMs: this.#now().getTime() - preparation.startedAt });
      } catch {
        // The agency's monitoring must not break the preparation.
      }
    };
    void work().then(settle, () => settle({ kind: 'failed' }));
    return preparation;
  }

  /** Records a hand-out; returns false when this is a re-delivery of an outcome already handed out. */
  delivered(transactionId: string): boolean {
    const preparation = this.#entries.get(transactionId);
    if (!preparation || preparation.deliveredAt !== undefined) return false;
    preparation.deliveredAt = this.#now().getTime();
    return true;
  }

  /** Drops a transaction at once (a failed preparation: a retry starts the work again). */
  forget(transactionId: string): void {
    this.#entries.delete(transactionId);
    this.#stopSweepWhenEmpty();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops uncollected preparations older than the maximum age, and collected ones past the re-delivery window. */
  sweep(): void {
    const now = this.#now().getTime();
    for (const [transactionId, preparation] of this.#entries) {
      const expired =
        preparation.deliveredAt === undefined ? preparation.startedAt <= now - this.#maxAgeMs : preparation.deliveredAt <= now - this.#redeliveryMs;
      if (expired) this.#entries.delete(transactionId);
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
    this.#timer = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, Math.min(this.#maxAgeMs, this.#redeliveryMs) / 4)));
    this.#timer.unref();
  }

  #stopSweepWhenEmpty(): void {
    if (this.#entries.size === 0) this.close();
  }
}
