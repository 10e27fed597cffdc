// The notifier used when no mail server is configured: nothing is sent, nothing fails.
import type { Notifier } from './notice.ts';

export function createNoopNotifier(): Notifier {
  return {
    notify: () => Promise.resolve(false),
  };
}
