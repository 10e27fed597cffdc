// Signs a new tree head at least every interval while entries arrive. Every hub process runs one;
// they converge on the same heads (one per tree size), so running several is harmless.
import type { Logger } from '../log.ts';

export interface TreeHeadTimer {
  stop(): void;
}

/** Calls `signIfGrown` every `intervalMs`, never twice at once; the timer does not keep the process alive. */
export function startTreeHeadTimer(signIfGrown: () => Promise<unknown>, intervalMs: number, logger?: Logger): TreeHeadTimer {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    signIfGrown()
      .catch((error: unknown) => logger?.warn({ err: error }, 'signing a ledger tree head failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
