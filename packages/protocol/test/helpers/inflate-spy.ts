// Watches node:zlib's inflateRawSync, so a test can show that a hostile archive is refused before
// anything is inflated, and that inflation is always bounded. syncBuiltinESMExports makes the
// replacement visible to modules that imported the function by name.
import { syncBuiltinESMExports } from 'node:module';
import zlib from 'node:zlib';

export interface InflateCall {
  inputBytes: number;
  maxOutputLength: number | undefined;
}

export interface InflateSpy {
  calls: InflateCall[];
  restore(): void;
}

export function watchInflation(): InflateSpy {
  const original = zlib.inflateRawSync;
  const calls: InflateCall[] = [];
  const spy = (buffer: zlib.InputType, options?: zlib.ZlibOptions) => {
    const inputBytes = typeof buffer === 'string' ? Buffer.byteLength(buffer) : buffer.byteLength;
    calls.push({ inputBytes, maxOutputLength: options?.maxOutputLength });
    return original(buffer, options);
  };
  zlib.inflateRawSync = spy as typeof zlib.inflateRawSync;
  syncBuiltinESMExports();
  return {
    calls,
    restore() {
      zlib.inflateRawSync = original;
      syncBuiltinESMExports();
    },
  };
}

/** Runs fn with the spy installed and always restores the original. */
export function withInflateSpy<T>(fn: (calls: InflateCall[]) => T): T {
  const spy = watchInflation();
  try {
    return fn(spy.calls);
  } finally {
    spy.restore();
  }
}
