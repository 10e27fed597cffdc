// Admission to one agency from this hub process: at most `concurrency` exchanges in flight, the rest
// wait in arrival order. A crowd then reaches the agency as a steady stream instead of all at once,
// which would push every request past its timeout together. Waiting is bounded three ways: the
// queue's length, the caller's deadline and the hub's shutdown.

export type Admission = { ok: true; release: () => void } | { ok: false; why: 'full' | 'deadline' | 'aborted' };

interface Waiter {
  grant(): void;
}

export class AgencyQueue {
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.waiting.length };
  }

  /** A slot, once one is free; never after `deadline` (epoch ms) or once `signal` aborts. */
  acquire(deadline: number, signal?: AbortSignal): Promise<Admission> {
    if (signal?.aborted) return Promise.resolve({ ok: false, why: 'aborted' });
    if (this.inFlight < this.concurrency && this.waiting.length === 0) {
      this.inFlight += 1;
      return Promise.resolve({ ok: true, release: this.releaser() });
    }
    if (this.waiting.length >= this.maxQueued) return Promise.resolve({ ok: false, why: 'full' });
    return new Promise<Admission>((resolve) => {
      const leave = (why: 'deadline' | 'aborted') => {
        const at = this.waiting.indexOf(waiter);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        settle();
        resolve({ ok: false, why });
      };
      const onAbort = () => leave('aborted');
      const timer = setTimeout(() => leave('deadline'), Math.max(0, deadline - Date.now()));
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          settle();
          resolve({ ok: true, release: this.releaser() });
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Frees the slot once, handing it straight to the longest waiter so nobody can overtake it. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.inFlight -= 1;
    };
  }
}
