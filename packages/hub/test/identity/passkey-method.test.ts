// The passkey method against a software authenticator (hand-made CBOR, ES256 via node:crypto) and
// a real database of the engine under test: registration, login, and each check that refuses.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Script } from 'node:vm';
import { ConfigError } from '../../src/config.ts';
import {
  CHALLENGE_TTL_MS,
  createPasskeyMethod,
  DEFAULT_DISPLAY_LABEL,
  PASSKEY_ERRORS,
  PASSKEY_LOGIN_PIPELINE,
  type PasskeyMethod,
  passkeyOptionsFromEnv,
  passkeyScript,
} from '../../src/identity/passkey/index.ts';
import { IdentityError } from '../../src/identity/types.ts';
import { subjectKey } from '../../src/keys/subject-key.ts';
import type { Db } from '../../src/store/database.ts';
import { openTestDb } from '../helpers/open-db.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';

const ORIGIN = 'http://localhost:3000';
const ID = 'A123456789';
const OTHER_ID = 'F131104093';
const secret = randomBytes(48);
const SUBJECT = subjectKey(secret, ID);
const OTHER_SUBJECT = subjectKey(secret, OTHER_ID);

let db: Db;
let close: () => Promise<void>;
let dataDir: string;
let engine: string;
let clock = new Date('2030-01-01T00:00:00Z');
let method: PasskeyMethod;

before(async () => {
  const opened = await openTestDb();
  db = opened.db;
  close = opened.close;
  dataDir = opened.database.dataDir;
  engine = opened.database.engine;
  method = createPasskeyMethod({ db, secret, rpId: 'localhost', rpName: 'OpenMyData', origin: ORIGIN, now: () => clock });
});
after(async () => close());

async function register(authenticator: SoftAuthenticator, nationalId = ID, counter = 0) {
  const key = subjectKey(secret, nationalId);
  const { options, challenge } = await method.registrationOptions(key);
  const response = authenticator.create(options, ORIGIN, { counter });
  return method.verifyRegistration(response, challenge, { subjectKey: key, nationalId });
}

async function login(authenticator: SoftAuthenticator, credentialId?: string, bend = {}) {
  const { options, challenge } = await method.authenticationOptions();
  return method.verifyAuthentication(authenticator.get(options, ORIGIN, credentialId, bend), challenge);
}

async function refused(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IdentityError, `expected IdentityError, got ${String(error)}`);
    assert.equal(error.code, code, error.detail);
    assert.ok(!error.message.includes(ID));
    return true;
  });
}

test('registration options: random user handle, a generic name, resident key and user verification required, no attestation', async () => {
  const { options, challenge } = await method.registrationOptions(SUBJECT);
  assert.equal(options.rp.id, 'localhost');
  assert.equal(options.user.name, DEFAULT_DISPLAY_LABEL);
  assert.equal(options.user.displayName, DEFAULT_DISPLAY_LABEL);
  assert.equal(Buffer.from(options.user.id, 'base64url').length, 32);
  assert.ok(!options.user.id.includes(SUBJECT.slice(0, 16)));
  assert.equal(options.authenticatorSelection?.residentKey, 'required');
  assert.equal(options.authenticatorSelection?.userVerification, 'required');
  assert.equal(options.attestation, 'none');
  assert.deepEqual(options.excludeCredentials, []);
  assert.equal(options.challenge, challenge.challenge);
  assert.equal(challenge.subjectKey, SUBJECT);
  assert.equal(challenge.userHandle, options.user.id);
  assert.equal(Date.parse(challenge.expiresAt) - clock.getTime(), CHALLENGE_TTL_MS);
  // JSON-safe for the session.
  assert.deepEqual(JSON.parse(JSON.stringify(challenge)), challenge);
  const named = await method.registrationOptions(SUBJECT, '  家裡的平板 \u0000 ');
  assert.equal(named.options.user.name, '家裡的平板');
  const other = await method.registrationOptions(OTHER_SUBJECT);
  assert.notEqual(other.options.user.id, options.user.id);
});

test("register, then log in: a level 2 identity with the person's national ID", async () => {
  const phone = new SoftAuthenticator();
  const summary = await register(phone);
  assert.equal(summary.reference, `passkey:${summary.credentialId.slice(0, 16)}`);
  assert.deepEqual(summary.transports, ['internal', 'hybrid']);
  assert.equal(summary.lastUsedAt, null);
  const identity = await login(phone);
  assert.equal(identity.method, 'passkey');
  assert.equal(identity.level, 2);
  assert.equal(identity.nationalId, ID);
  assert.equal(identity.reference, summary.reference);
  assert.equal(identity.verifiedAt.getTime(), clock.getTime());
  const [listed] = await method.listPasskeys(SUBJECT);
  assert.equal(listed?.credentialId, summary.credentialId);
  assert.equal(listed?.lastUsedAt?.getTime(), clock.getTime());
  const row = await db.selectFrom('passkeys').select(['counter']).where('credential_id', '=', summary.credentialId).executeTakeFirstOrThrow();
  assert.equal(Number(row.counter), 1);
  // The same person's next passkey reuses the handle and excludes the first one.
  const { options } = await method.registrationOptions(SUBJECT);
  assert.equal(options.user.id, phone.credentials.get(summary.credentialId)?.userHandle);
  assert.deepEqual(
    options.excludeCredentials?.map((c) => c.id),
    [summary.credentialId],
  );
  // The response may arrive as the JSON text of a hidden form field.
  const again = await method.authenticationOptions();
  assert.equal((await method.verifyAuthentication(JSON.stringify(phone.get(again.options, ORIGIN)), again.challenge)).nationalId, ID);
});

test('authentication options: discoverable credentials, user verification required', async () => {
  const { options, challenge } = await method.authenticationOptions();
  assert.equal(options.rpId, 'localhost');
  assert.equal(options.userVerification, 'required');
  assert.equal(options.allowCredentials, undefined);
  assert.equal(options.challenge, challenge.challenge);
  assert.deepEqual(Object.keys(challenge).sort(), ['challenge', 'expiresAt']);
});

test('the database holds no national ID: only the subject key and a sealed copy', async () => {
  const PROBE = 'Q123456782';
  // A national ID with a valid checksum that no other test uses.
  const key = subjectKey(secret, PROBE);
  const authenticator = new SoftAuthenticator();
  const summary = await register(authenticator, PROBE);
  assert.equal((await login(authenticator)).nationalId, PROBE);
  const rows = await db.selectFrom('passkeys').selectAll().execute();
  const mine = rows.find((r) => r.credential_id === summary.credentialId);
  assert.equal(mine?.subject_key, key);
  assert.ok(!mine?.sealed_national_id.includes(PROBE));
  for (const row of rows) {
    for (const value of Object.values(row)) {
      const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
      assert.ok(!text.includes(PROBE), 'plaintext national ID in the passkeys table');
      assert.ok(!text.includes(Buffer.from(PROBE).toString('base64')), 'base64 national ID in the passkeys table');
      assert.ok(!text.includes(Buffer.from(PROBE).toString('hex')), 'hex national ID in the passkeys table');
    }
  }
  if (engine === 'sqlite') {
    for (const file of ['hub.sqlite', 'hub.sqlite-wal'].map((f) => join(dataDir, f))) {
      try {
        assert.equal(readFileSync(file).includes(PROBE), false, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  // Deleting the passkey deletes the sealed copy with it.
  assert.equal(await method.deletePasskey(key, summary.credentialId), true);
  assert.equal(await db.selectFrom('passkeys').select('credential_id').where('subject_key', '=', key).executeTakeFirst(), undefined);
});

test('a counter that does not move forward is refused (a cloned authenticator)', async () => {
  const key = new SoftAuthenticator();
  const { credentialId } = await register(key, ID, 10);
  assert.equal((await login(key, credentialId, { counter: 11 })).nationalId, ID);
  await refused(login(key, credentialId, { counter: 11 }), 'passkey_counter');
  await refused(login(key, credentialId, { counter: 5 }), 'passkey_counter');
  await refused(login(key, credentialId, { counter: 0 }), 'passkey_counter');
  // The refused attempts left the stored counter alone.
  assert.equal((await login(key, credentialId, { counter: 12 })).nationalId, ID);
});

test('an authenticator that always reports 0 (synced passkeys) keeps working', async () => {
  const synced = new SoftAuthenticator(0);
  const { credentialId } = await register(synced);
  for (let i = 0; i < 3; i++) assert.equal((await login(synced, credentialId)).level, 2);
});

test('two logins racing with one counter value: one wins, the other is refused', async () => {
  const key = new SoftAuthenticator();
  const { credentialId } = await register(key);
  const { options, challenge } = await method.authenticationOptions();
  const response = key.get(options, ORIGIN, credentialId);
  const results = await Promise.allSettled([method.verifyAuthentication(response, challenge), method.verifyAuthentication(response, challenge)]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const rejected = results.find((r) => r.status === 'rejected');
  assert.equal(rejected?.status === 'rejected' && rejected.reason instanceof IdentityError ? rejected.reason.code : undefined, 'passkey_counter');
});

test('an unknown or deleted passkey is refused', async () => {
  const stranger = new SoftAuthenticator();
  stranger.create((await method.registrationOptions(SUBJECT)).options, ORIGIN);
  await refused(login(stranger), 'passkey_unknown');
  const key = new SoftAuthenticator();
  const { credentialId } = await register(key);
  assert.equal(await method.deletePasskey(OTHER_SUBJECT, credentialId), false, 'another person cannot delete it');
  assert.equal(await method.deletePasskey(SUBJECT, credentialId), true);
  assert.equal(await method.deletePasskey(SUBJECT, credentialId), false);
  await refused(login(key, credentialId), 'passkey_unknown');
});

test('a response to another challenge is refused; a missing or expired challenge asks to start again', async () => {
  const key = new SoftAuthenticator();
  const { credentialId } = await register(key);
  const first = await method.authenticationOptions();
  const second = await method.authenticationOptions();
  await refused(method.verifyAuthentication(key.get(first.options, ORIGIN, credentialId), second.challenge), 'passkey_invalid');
  await refused(method.verifyAuthentication(key.get(second.options, ORIGIN, credentialId), undefined), 'challenge_expired');
  await refused(
    method.verifyAuthentication(key.get(second.options, ORIGIN, credentialId), { challenge: 'short', expiresAt: second.challenge.expiresAt }),
    'challenge_expired',
  );
  const late = await method.authenticationOptions();
  const response = key.get(late.options, ORIGIN, credentialId);
  clock = new Date(clock.getTime() + CHALLENGE_TTL_MS);
  try {
    await refused(method.verifyAuthentication(response, late.challenge), 'challenge_expired');
    const registration = await method.registrationOptions(SUBJECT);
    clock = new Date(clock.getTime() + CHALLENGE_TTL_MS + 1);
    await refused(
      method.verifyRegistration(key.create(registration.options, ORIGIN), registration.challenge, { subjectKey: SUBJECT, nationalId: ID }),
      'challenge_expired',
    );
  } finally {
    clock = new Date('2030-01-01T00:00:00Z');
  }
  const fresh = await method.registrationOptions(SUBJECT);
  const other = await method.registrationOptions(SUBJECT);
  await refused(method.verifyRegistration(key.create(fresh.options, ORIGIN), other.challenge, { subjectKey: SUBJECT, nationalId: ID }), 'passkey_invalid');
});

test('a response made for another origin or relying party is refused', async () => {
  const key = new SoftAuthenticator();
  const { credentialId } = await register(key);
  await refused(login(key, credentialId, { origin: 'http://localhost:4000' }), 'passkey_invalid');
  await refused(login(key, credentialId, { origin: 'https://evil.example' }), 'passkey_invalid');
  await refused(login(key, credentialId, { rpId: 'evil.example' }), 'passkey_invalid');
  await refused(login(key, credentialId, { type: 'webauthn.create' }), 'passkey_invalid');
  const { options, challenge } = await method.registrationOptions(SUBJECT);
  await refused(
    method.verifyRegistration(key.create(options, ORIGIN, { origin: 'https://evil.example' }), challenge, { subjectKey: SUBJECT, nationalId: ID }),
    'passkey_invalid',
  );
  const again = await method.registrationOptions(SUBJECT);
  await refused(
    method.verifyRegistration(key.create(again.options, ORIGIN, { rpId: 'evil.example' }), again.challenge, { subjectKey: SUBJECT, nationalId: ID }),
    'passkey_invalid',
  );
});

test('the person must be verified by the authenticator (PIN or biometrics), at registration and login', async () => {
  const key = new SoftAuthenticator();
  const { options, challenge } = await method.registrationOptions(SUBJECT);
  await refused(
    method.verifyRegistration(key.create(options, ORIGIN, { userVerified: false }), challenge, { subjectKey: SUBJECT, nationalId: ID }),
    'passkey_invalid',
  );
  const { credentialId } = await register(key);
  await refused(login(key, credentialId, { userVerified: false }), 'passkey_invalid');
  await refused(login(key, credentialId, { userPresent: false }), 'passkey_invalid');
});

test('a forged signature, a foreign user handle or a malformed response is refused', async () => {
  const key = new SoftAuthenticator();
  const { credentialId } = await register(key);
  const { options, challenge } = await method.authenticationOptions();
  const response = key.get(options, ORIGIN, credentialId);
  // A well-formed signature by the right key, but over another login's data.
  const other = key.get((await method.authenticationOptions()).options, ORIGIN, credentialId);
  const forged = { ...response, response: { ...response.response, signature: other.response.signature } };
  await refused(method.verifyAuthentication(forged, challenge), 'passkey_invalid');
  const garbage = { ...response, response: { ...response.response, signature: randomBytes(70).toString('base64url') } };
  await refused(method.verifyAuthentication(garbage, challenge), 'passkey_invalid');
  await refused(login(key, credentialId, { userHandle: randomBytes(32).toString('base64url') }), 'passkey_invalid');
  for (const bad of [undefined, null, 42, 'not json', '{}', { id: credentialId }, { ...response, type: 'password' }]) {
    const fresh = await method.authenticationOptions();
    await refused(method.verifyAuthentication(bad, fresh.challenge), 'passkey_invalid');
  }
});

test('a sealed national ID moved onto another passkey row does not open', async () => {
  const mine = new SoftAuthenticator();
  const theirs = new SoftAuthenticator();
  const a = await register(mine, ID);
  const b = await register(theirs, OTHER_ID);
  const sealedB = await db.selectFrom('passkeys').select('sealed_national_id').where('credential_id', '=', b.credentialId).executeTakeFirstOrThrow();
  // Someone who can write to the database points their own passkey at another person's ID.
  await db.updateTable('passkeys').set({ sealed_national_id: sealedB.sealed_national_id }).where('credential_id', '=', a.credentialId).execute();
  await refused(login(mine, a.credentialId), 'passkey_invalid');
  // ...and re-labelling the row's subject key as well still fails: the seal is bound to the credential id.
  await db.updateTable('passkeys').set({ subject_key: OTHER_SUBJECT }).where('credential_id', '=', a.credentialId).execute();
  await refused(login(mine, a.credentialId), 'passkey_invalid');
  assert.equal((await login(theirs, b.credentialId)).nationalId, OTHER_ID);
});

test('registration checks whose passkey it is', async () => {
  const key = new SoftAuthenticator();
  const { options, challenge } = await method.registrationOptions(OTHER_SUBJECT);
  // The challenge was issued for another person than the one now registering.
  await refused(method.verifyRegistration(key.create(options, ORIGIN), challenge, { subjectKey: SUBJECT, nationalId: ID }), 'passkey_invalid');
  // A caller passing an ID that does not belong to the subject key is a bug, not a refusal.
  const mine = await method.registrationOptions(SUBJECT);
  await assert.rejects(
    method.verifyRegistration(key.create(mine.options, ORIGIN), mine.challenge, { subjectKey: SUBJECT, nationalId: OTHER_ID }),
    (e: unknown) => !(e instanceof IdentityError),
  );
  // The same credential cannot be registered twice.
  const first = await method.registrationOptions(SUBJECT);
  const response = key.create(first.options, ORIGIN);
  await method.verifyRegistration(response, first.challenge, { subjectKey: SUBJECT, nationalId: ID });
  await refused(method.verifyRegistration(response, first.challenge, { subjectKey: SUBJECT, nationalId: ID }), 'passkey_invalid');
});

test('the login pipeline runs its checks in the documented order', () => {
  assert.deepEqual(
    PASSKEY_LOGIN_PIPELINE.map((step) => step.name),
    ['checkLoginChallenge', 'readLoginResponse', 'findCredential', 'verifyAssertion', 'checkCounter', 'openIdentity', 'recordUse'],
  );
  for (const wording of Object.values(PASSKEY_ERRORS)) {
    assert.ok(wording.en.length > 0 && wording['zh-TW'].length > 0);
  }
});

test('configuration: defaults follow the public URL; a relying party id that does not fit the origin stops the hub', () => {
  assert.deepEqual(passkeyOptionsFromEnv({}, 'http://localhost:3000'), { rpId: 'localhost', rpName: 'OpenMyData', origin: 'http://localhost:3000' });
  assert.deepEqual(passkeyOptionsFromEnv({}, 'https://mydata.example.tw/'), {
    rpId: 'mydata.example.tw',
    rpName: 'OpenMyData',
    origin: 'https://mydata.example.tw',
  });
  assert.deepEqual(passkeyOptionsFromEnv({ PASSKEY_RP_ID: 'example.tw' }, 'https://mydata.example.tw'), {
    rpId: 'example.tw',
    rpName: 'OpenMyData',
    origin: 'https://mydata.example.tw',
  });
  assert.throws(() => passkeyOptionsFromEnv({ PASSKEY_RP_ID: 'example.org' }, 'https://mydata.example.tw'), ConfigError);
  assert.throws(() => passkeyOptionsFromEnv({}, 'http://mydata.example.tw'), ConfigError, 'plain http outside localhost');
  assert.throws(() => passkeyOptionsFromEnv({ PASSKEY_ORIGIN: 'https://mydata.example.tw/portal' }, 'http://localhost:3000'), ConfigError);
  assert.throws(() => passkeyOptionsFromEnv({ PASSKEY_RP_ID: '127.0.0.1', PASSKEY_ORIGIN: 'https://127.0.0.1' }, 'http://localhost:3000'), ConfigError);
  assert.throws(() => createPasskeyMethod({ db, secret: Buffer.alloc(8), rpId: 'localhost', rpName: 'OpenMyData', origin: ORIGIN }), ConfigError);
});

test('the browser script compiles and is safe to inline', () => {
  const script = passkeyScript();
  assert.doesNotThrow(() => new Script(script));
  assert.ok(!/<\/script/i.test(script));
  assert.ok(!script.includes('<!--'));
});
