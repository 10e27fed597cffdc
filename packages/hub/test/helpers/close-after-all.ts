// What a test file (or suite) starts, closed after its tests in reverse order of starting, also
// when its `before` failed half-way: register each closer the moment its thing has started, and
// an open server can never keep the file's process alive.
import { after } from 'node:test';

/** Registers an `after` hook in the current file or suite and returns the function that adds closers to it. */
export function closeAfterAll(): (close: () => unknown) => void {
  const closers: Array<() => unknown> = [];
  after(async () => {
    const errors: unknown[] = [];
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    closers.length = 0;
    if (errors.length > 0) throw new AggregateError(errors, 'closing what the tests started failed');
  });
  return (close) => {
    closers.push(close);
  };
}
