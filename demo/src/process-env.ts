// Environment reading shared by the demo's service processes: empty variables count as unset, and
// a bad port stops the process with a clear message (exit 78, as the hub does).

export function env(name: string): string | undefined {
  const value = process.env[name];
  return value === '' ? undefined : value;
}

export function envPort(name: string, fallback: number): number {
  const value = env(name);
  const parsed = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    process.stderr.write(`${name} must be a port number; got ${value}\n`);
    process.exit(78);
  }
  return parsed;
}
