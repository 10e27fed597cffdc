// In development the hub makes its own secret once and keeps it beside the SQLite file (0600);
// production must pass HUB_SECRET (the configuration refuses to start without it).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecret } from '../config.ts';

export function resolveSecret(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = join(dataDir, 'hub-secret');
  try {
    return decodeSecret(readFileSync(file, 'utf8').trim());
  } catch {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(48);
    try {
      writeFileSync(file, secret.toString('base64'), { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      // Another process wrote it first.
      return decodeSecret(readFileSync(file, 'utf8').trim());
    }
  }
}
