// The agency's package-signing keys: one current ES256 key, plus retired keys still published
// for an overlap so packages signed before a rotation keep verifying.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import { PROVIDER_API } from '@openmydata/protocol';

export interface KeyRingOptions {
  /** Clock deciding when a retired key stops being published; for tests. */
  now?: () => Date;
}

interface RingKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
  /** Epoch ms after which the key is no longer published; undefined for the current key. */
  retiresAt?: number;
}

interface KeyFile {
  version: 1;
  current: string;
  keys: Array<{ kid: string; private_jwk: JWK; retires_at: string | null }>;
}

const DEFAULT_OVERLAP_SECONDS = 86_400;

export class KeyRing {
  #keys: RingKey[];
  readonly #now: () => Date;
  readonly #path: string | undefined;

  private constructor(keys: RingKey[], options: KeyRingOptions, path?: string) {
    this.#keys = keys;
    this.#now = options.now ?? (() => new Date());
    this.#path = path;
  }

  /** One fresh ES256 key. */
  static async generate(options: KeyRingOptions = {}): Promise<KeyRing> {
    return KeyRing.generateSync(options);
  }

  static generateSync(options: KeyRingOptions = {}): KeyRing {
    return new KeyRing([newKey()], options);
  }

  /**
   * Loads the private keys kept at path, or creates one key and writes it there (mode 0600), so
   * a restart keeps signing with the key the hub already knows. Rotations are written back.
   */
  static async fromFile(path: string, options: KeyRingOptions = {}): Promise<KeyRing> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      const ring = new KeyRing([newKey()], options, path);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await ring.#persist();
      return ring;
    }
    await refuseLoosePermissions(path);
    return new KeyRing(parseKeyFile(text, path), options, path);
  }

  current(): { kid: string; privateKey: KeyObject } {
    const key = this.#keys.find((k) => k.retiresAt === undefined);
    if (!key) throw new Error('KeyRing has no current key');
    return { kid: key.kid, privateKey: key.privateKey };
  }

  /** Public keys: the current key and retired keys still within their overlap. */
  jwks(): { keys: JWK[] } {
    this.#prune();
    return { keys: this.#keys.map((k) => ({ ...k.publicJwk })) };
  }

  /** Makes a new current key; the old one stays published for overlapSeconds, then disappears. */
  async rotate(overlapSeconds: number = DEFAULT_OVERLAP_SECONDS): Promise<void> {
    if (!Number.isFinite(overlapSeconds) || overlapSeconds < 0) throw new RangeError('overlapSeconds must be a non-negative number');
    const retiresAt = this.#now().getTime() + overlapSeconds * 1000;
    this.#keys = [newKey(), ...this.#keys.map((k) => (k.retiresAt === undefined ? { ...k, retiresAt } : k))];
    this.#prune();
    if (this.#path !== undefined) await this.#persist();
  }

  #prune(): void {
    const now = this.#now().getTime();
    this.#keys = this.#keys.filter((k) => k.retiresAt === undefined || k.retiresAt > now);
  }

  async #persist(): Promise<void> {
    const path = this.#path as string;
    const file: KeyFile = {
      version: 1,
      current: this.current().kid,
      keys: this.#keys.map((k) => ({
        kid: k.kid,
        private_jwk: k.privateKey.export({ format: 'jwk' }) as JWK,
        retires_at: k.retiresAt === undefined ? null : new Date(k.retiresAt).toISOString(),
      })),
    };
    // Write beside, then rename: a crash never leaves a half-written key file.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  }
}

function newKey(): RingKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return ringKey(privateKey);
}

function ringKey(privateKey: KeyObject, retiresAt?: number): RingKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const kid = thumbprint(jwk.crv as string, jwk.x as string, jwk.y as string);
  const publicJwk: JWK = { kty: 'EC', crv: jwk.crv as string, x: jwk.x as string, y: jwk.y as string, kid, alg: PROVIDER_API.algorithm, use: 'sig' };
  return retiresAt === undefined ? { kid, privateKey, publicJwk } : { kid, privateKey, publicJwk, retiresAt };
}

/** RFC 7638 JWK thumbprint, so the kid is derived from the key and stable across restarts. */
function thumbprint(crv: string, x: string, y: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv, kty: 'EC', x, y }))
    .digest('base64url');
}

function parseKeyFile(text: string, path: string): RingKey[] {
  const fail = (why: string): never => {
    throw new Error(`KeyRing file ${path} is not usable: ${why}`);
  };
  let file: Partial<KeyFile>;
  try {
    file = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    return fail('not JSON');
  }
  if (file.version !== 1 || !Array.isArray(file.keys) || typeof file.current !== 'string') return fail('expected {version: 1, current, keys}');
  const keys: RingKey[] = [];
  for (const entry of file.keys) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: entry.private_jwk as JsonWebKey, format: 'jwk' });
    } catch {
      return fail(`key ${String(entry.kid)} is not a private JWK`);
    }
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return fail('keys must be P-256 (ES256)');
    const isCurrent = entry.kid === file.current;
    const retiresAt = isCurrent || entry.retires_at === null ? undefined : Date.parse(entry.retires_at);
    if (!isCurrent && (retiresAt === undefined || Number.isNaN(retiresAt))) return fail(`retired key ${entry.kid} has no valid retires_at`);
    const key = ringKey(privateKey, retiresAt);
    if (key.kid !== entry.kid) return fail(`key ${entry.kid} does not match its kid`);
    keys.push(key);
  }
  if (keys.filter((k) => k.retiresAt === undefined).length !== 1) return fail('exactly one current key is required');
  return keys;
}

async function refuseLoosePermissions(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) {
    throw new Error(`KeyRing file ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`);
  }
}
