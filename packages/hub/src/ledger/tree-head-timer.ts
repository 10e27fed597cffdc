// Signs a new tree head at least every interval while entries arrive. Every hub process runs one;
// they converge on the same heads (one per tree size), so running several is harmless.
import type { Logger } from '../log.ts';

export interface TreeHeadTimer {
  /** Stops the timer; resolves once a signing already under way has finished. */
  stop(): Promise<void>;
}

/** Calls `signIfGrown` every `intervalMs`, never twice at once; the timer does not keep the process alive. */
export function startTreeHeadTimer(signIfGrown: () => Promise<unknown>, intervalMs: number, logger?: Logger): TreeHeadTimer {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = signIfGrown()
      .then(
        () => undefined,
        (error: unknown) => logger?.warn({ err: error }, 'signing a ledger tree head failed'),
      )
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
