// Step 6: during a maintenance window the agency answers 503 with the seconds until the window ends.
import { ProviderError } from '../errors.ts';

export function checkMaintenance(secondsUntilEnd: (now: Date) => number | null, now: Date): void {
  const seconds = secondsUntilEnd(now);
  if (seconds !== null) throw new ProviderError('under_maintenance', { retryAfterSeconds: seconds });
}
