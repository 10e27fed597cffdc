// In development the hub makes its own secret once and keeps it beside the SQLite file (0600);
// production must pass HUB_SECRET (the configuration refuses to start without it).
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecret } from '../config.ts';

const MIN_BYTES = 32;

export function resolveSecret(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = join(dataDir, 'hub-secret');
  const existing = readSecretFile(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written whole to a temporary name, then linked into place: the link fails if another process
  // got there first, so no process ever reads a half-written secret or has its secret replaced.
  const temp = join(dataDir, `.hub-secret-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(temp, randomBytes(48).toString('base64'), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch {
    // another process created it; use theirs
  } finally {
    rmSync(temp, { force: true });
  }
  const secret = readSecretFile(file);
  if (!secret) throw new Error(`${file} does not hold a usable secret; delete it or set HUB_SECRET`);
  return secret;
}

function readSecretFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  const secret = decodeSecret(text);
  if (secret.length < MIN_BYTES) throw new Error(`${file} holds a secret shorter than ${MIN_BYTES} bytes; delete it or set HUB_SECRET`);
  return secret;
}
