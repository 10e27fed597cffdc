import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JWK } from 'jose';
import { newTransactionId, PackageError, PROVIDER_API, verifyPackage } from '@openmydata/protocol';
import { KeyRing } from '../src/index.ts';
import { startHarness, testClock } from './fixtures.ts';

async function publishedJwks(url: string): Promise<{ keys: JWK[] }> {
  return (await (await fetch(`${url}${PROVIDER_API.jwksPath}`)).json()) as { keys: JWK[] };
}

describe('KeyRing rotation', () => {
  it('keeps a package signed before rotation verifiable during the overlap, then drops the old kid', async () => {
    const clock = testClock(new Date('2025-06-02T03:00:00Z'));
    const keyRing = await KeyRing.generate({ now: clock.now });
    const h = await startHarness({ keyRing, now: clock.now });
    try {
      assert.equal(h.provider.keyRing, keyRing);
      const oldKid = keyRing.current().kid;
      const response = await h.post(await h.hub.sign({ now: clock.now() }));
      assert.equal(response.status, 200);
      const signedBefore = Buffer.from(await response.arrayBuffer());

      await keyRing.rotate(3600);
      const newKid = keyRing.current().kid;
      assert.notEqual(newKid, oldKid);

      clock.advance(3599);
      const during = await publishedJwks(h.url);
      assert.deepEqual(during.keys.map((k) => k.kid).sort(), [newKid, oldKid].sort());
      const verified = await verifyPackage(signedBefore, { keys: createLocalJWKSet(during) });
      assert.equal(verified.kid, oldKid);

      // New packages are signed with the new key.
      const fresh = await h.post(await h.hub.sign({ now: clock.now() }));
      assert.equal((await verifyPackage(Buffer.from(await fresh.arrayBuffer()), { keys: createLocalJWKSet(during) })).kid, newKid);

      clock.advance(2);
      const afterOverlap = await publishedJwks(h.url);
      assert.deepEqual(
        afterOverlap.keys.map((k) => k.kid),
        [newKid],
      );
      await assert.rejects(
        verifyPackage(signedBefore, { keys: createLocalJWKSet(afterOverlap) }),
        (error: unknown) => error instanceof PackageError && error.code === 'package_unknown_key',
      );
    } finally {
      await h.close();
    }
  });

  it('uses a 24 h overlap by default', async () => {
    const clock = testClock(new Date('2025-06-02T03:00:00Z'));
    const ring = await KeyRing.generate({ now: clock.now });
    await ring.rotate();
    clock.advance(86_399);
    assert.equal(ring.jwks().keys.length, 2);
    clock.advance(2);
    assert.equal(ring.jwks().keys.length, 1);
  });

  it('derives the kid from the key (RFC 7638 thumbprint) and publishes only public parts', async () => {
    const ring = await KeyRing.generate();
    const [key] = ring.jwks().keys;
    assert.ok(key);
    assert.equal(key.kid, ring.current().kid);
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });
});

describe('KeyRing.fromFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omd-keyring-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('creates the file with mode 0600 and reloads the same kid', async () => {
    const path = join(dir, 'nested', 'keys.json');
    const first = await KeyRing.fromFile(path);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const second = await KeyRing.fromFile(path);
    assert.equal(second.current().kid, first.current().kid);
    assert.deepEqual(second.jwks(), first.jwks());
  });

  it('writes rotations back, keeping the retiring key and its overlap', async () => {
    const clock = testClock(new Date('2025-06-02T03:00:00Z'));
    const path = join(dir, 'rotating.json');
    const ring = await KeyRing.fromFile(path, { now: clock.now });
    const oldKid = ring.current().kid;
    await ring.rotate(600);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const reloaded = await KeyRing.fromFile(path, { now: clock.now });
    assert.equal(reloaded.current().kid, ring.current().kid);
    assert.deepEqual(
      reloaded.jwks().keys.map((k) => k.kid),
      [ring.current().kid, oldKid],
    );
    clock.advance(601);
    assert.deepEqual(
      reloaded.jwks().keys.map((k) => k.kid),
      [ring.current().kid],
    );
  });

  it('refuses a key file others can read, and a file that is not a key ring', async () => {
    const path = join(dir, 'loose.json');
    await KeyRing.fromFile(path);
    await chmod(path, 0o644);
    await assert.rejects(KeyRing.fromFile(path), /chmod 600/);
    await chmod(path, 0o600);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/"current": "[^"]+"/, '"current": "nobody"'), { mode: 0o600 });
    await assert.rejects(KeyRing.fromFile(path), /exactly one current key|retires_at/);
  });

  it('signs packages a provider built from the same file both before and after a restart', async () => {
    const path = join(dir, 'restart.json');
    const verifyWith = async (ring: KeyRing): Promise<string> => {
      const h = await startHarness({ keyRing: ring });
      try {
        const transactionId = newTransactionId();
        const response = await h.post(await h.hub.sign({ transactionId }));
        return (await verifyPackage(Buffer.from(await response.arrayBuffer()), { keys: createLocalJWKSet(await publishedJwks(h.url)) })).kid;
      } finally {
        await h.close();
      }
    };
    const before = await verifyWith(await KeyRing.fromFile(path));
    const afterRestart = await verifyWith(await KeyRing.fromFile(path));
    assert.equal(afterRestart, before);
  });
});
