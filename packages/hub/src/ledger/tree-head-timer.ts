// Signs a new tree head at least every interval while entries arrive. Every hub process runs one;
// they converge on the same heads (one per tree size), so running several is harmless.
import type { Logger } from '../log.ts';

export interface TreeHeadTimer {
  /** Stops the timer; resolves once a signing already under way has finished. */
  stop(): Promise<void>;
}

/** What drives the timer: calls `tick` now and then until cancelled. Tests drive it by hand. */
export type Ticker = (tick: () => Promise<void>) => { cancel(): void };

/** The hub's ticker: every intervalMs, not keeping the process alive. */
export function intervalTicker(intervalMs: number): Ticker {
  return (tick) => {
    const timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  };
}

/** Calls `signIfGrown` on every tick, never twice at once; a tick during a signing waits for it. */
export function startTreeHeadTimer(signIfGrown: () => Promise<unknown>, ticker: Ticker, logger?: Logger): TreeHeadTimer {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= signIfGrown()
      .then(
        () => undefined,
        (error: unknown) => logger?.warn({ err: error }, 'signing a ledger tree head failed'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const handle = ticker(tick);
  return {
    async stop() {
      stopped = true;
      handle.cancel();
      await running;
    },
  };
}
