// Passkeys for counter staff over real HTTP against a test hub, with the soft authenticator standing
// in for the clerk's device: a clerk signed in with password + TOTP adds one, then signs in with it
// alone; wrong, forged and replayed assertions are refused and counted like wrong passwords; a
// disabled account is refused; an operator reset removes the passkeys; every step is in the ledger.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { disableStaffAccount, resetStaffAccount } from '../../src/counter/staff-admin.ts';
import { SIGN_IN_LIMITS } from '../../src/counter/staff-auth.ts';
import { decodeLeaf } from '../../src/ledger/leaf.ts';
import type { LedgerEntry } from '../../src/ledger/entry.ts';
import { readEntryChunk } from '../../src/ledger/repository.ts';
import { type Bend, SoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { ConsoleClient, type CounterHub, makeStaff, type StaffLogin, startCounterHub } from './counter-helpers.ts';

let h: CounterHub;
let origin: string;
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

before(async () => {
  h = await startCounterHub({ now });
  // The origin the hub expects (PASSKEY_ORIGIN, by default its public URL's), as a browser there would send it.
  origin = new URL(h.t.hub.config.publicUrl).origin;
});
after(async () => {
  await h?.stop();
});

let staffCount = 0;
async function clerk(office = 'taoyuan-social'): Promise<{ login: StaffLogin; console: ConsoleClient; device: SoftAuthenticator }> {
  staffCount += 1;
  const login = await makeStaff(h.t.hub, `clerk.passkey.${staffCount}`, office);
  const console = new ConsoleClient(h.t.url);
  await console.signedIn(login, now());
  return { login, console, device: new SoftAuthenticator() };
}

/** What the page's script does on "Add a passkey": options as JSON, the ceremony, the answer posted as the form. */
async function addPasskey(console: ConsoleClient, device: SoftAuthenticator, bend: Bend = {}) {
  const page = await console.get('/console/passkeys');
  assert.equal(page.status, 200, page.text);
  const answer = await console.postJson('/console/passkeys/options', {});
  assert.equal(answer.status, 200);
  const options = (answer.json as { options: PublicKeyCredentialCreationOptionsJSON }).options;
  assert.equal(options.authenticatorSelection?.userVerification, 'required');
  assert.equal(options.authenticatorSelection?.residentKey, 'required');
  return console.post('/console/passkeys', { response: JSON.stringify(device.create(options, origin, bend)) });
}

/** What the sign-in page's script does on "Sign in with a passkey". */
async function passkeySignIn(console: ConsoleClient, answer: (options: PublicKeyCredentialRequestOptionsJSON) => unknown) {
  await console.get('/console/sign-in');
  const res = await console.postJson('/console/sign-in/passkey/options', {});
  assert.equal(res.status, 200);
  const options = (res.json as { options: PublicKeyCredentialRequestOptionsJSON }).options;
  assert.equal(options.userVerification, 'required');
  return console.post('/console/sign-in/passkey', { response: JSON.stringify(answer(options)) });
}

async function staffEntries(staffId: string): Promise<string[]> {
  const rows = await readEntryChunk(h.t.hub.db, 0, 10_000);
  return rows
    .map((r) => decodeLeaf(r.leaf as Buffer) as LedgerEntry)
    .filter((e) => e.action === 'staff_action' && e.actor.kind === 'staff' && e.actor.id === staffId)
    .map((e) => e.outcome ?? '');
}

async function passkeyRows(staffId: string): Promise<number> {
  return (await h.t.hub.db.selectFrom('counter_staff_passkeys').select('credential_id').where('staff_id', '=', staffId).execute()).length;
}

test('a clerk signed in with password + TOTP adds a passkey, then signs in with it alone; both are in the ledger', async () => {
  const { login, console, device } = await clerk();
  const added = await addPasskey(console, device);
  assert.equal(added.status, 303, added.text);
  assert.equal(added.location, '/console/passkeys?notice=registered');
  const list = await console.get(`${added.location}&lang=en`);
  assert.match(list.text, /The passkey was added/);
  const [credentialId] = [...device.credentials.keys()];
  assert.ok(credentialId);
  assert.ok(list.text.includes(credentialId.slice(0, 16)), 'the list shows the passkey');
  assert.equal(await passkeyRows(login.id), 1);

  const elsewhere = new ConsoleClient(h.t.url);
  const signedIn = await passkeySignIn(elsewhere, (options) => device.get(options, origin));
  assert.equal(signedIn.status, 303, signedIn.text);
  assert.equal(signedIn.location, '/console');
  const scan = await elsewhere.get('/console?lang=en');
  assert.equal(scan.status, 200);
  assert.ok(scan.text.includes(login.id), 'signed in as the clerk who added the passkey');
  assert.match(scan.text, /Taoyuan Social Welfare/, 'in the account’s own office');

  // Holding the device alone must not be enough to plant another passkey on the account.
  await elsewhere.get('/console/passkeys');
  const more = await elsewhere.postJson('/console/passkeys/options', {});
  assert.equal(more.status, 403);
  const page = await elsewhere.get('/console/passkeys?lang=en');
  assert.match(page.text, /cannot add passkeys/);

  const outcomes = await staffEntries(login.id);
  assert.ok(outcomes.includes('passkey_registered'), outcomes.join());
  assert.ok(outcomes.includes('signed_in_passkey'), outcomes.join());
});

test('the console serves the passkey script from its own assets, and its passkey pages carry the console’s headers', async () => {
  const { console } = await clerk();
  const script = await fetch(`${h.t.url}/console/assets/passkey.js`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(await script.text(), /navigator\.credentials\.get/);
  for (const path of ['/console/passkeys', '/console/sign-in']) {
    const page = await (path === '/console/sign-in' ? new ConsoleClient(h.t.url) : console).get(path);
    const csp = page.res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline/, path);
    assert.equal(page.res.headers.get('x-frame-options'), 'DENY', path);
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: no inline script`);
    assert.match(page.text, /<script src="\/console\/assets\/passkey\.js" defer><\/script>/, path);
  }
});

test('wrong, forged and replayed assertions are refused, counted like wrong passwords, and the account’s limit holds even for its real passkey', async () => {
  const { login, console, device } = await clerk();
  assert.equal((await addPasskey(console, device)).status, 303);
  const visitor = new ConsoleClient(h.t.url);
  const refusals: Array<(o: PublicKeyCredentialRequestOptionsJSON) => unknown> = [
    // signed over another challenge
    (o) => device.get(o, origin, undefined, { challenge: Buffer.alloc(32, 7).toString('base64url') }),
    // for another site
    (o) => device.get(o, 'https://phish.example', undefined, {}),
    // no user verification (PIN, biometrics)
    (o) => device.get(o, origin, undefined, { userVerified: false }),
    // a signature that does not verify
    (o) => {
      const answer = device.get(o, origin);
      const signature = Buffer.from(answer.response.signature, 'base64url');
      signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 0xff;
      return { ...answer, response: { ...answer.response, signature: signature.toString('base64url') } };
    },
    // another user handle
    (o) => device.get(o, origin, undefined, { userHandle: Buffer.alloc(32, 1).toString('base64url') }),
    // not an assertion at all
    () => ({ id: 'x', garbage: true }),
  ];
  for (const [i, answer] of refusals.entries()) {
    const res = await passkeySignIn(visitor, answer);
    assert.equal(res.status, 401, `refusal ${i}`);
    assert.match(res.text, /無法驗證通行密鑰，請再試一次或改用帳號、密碼與驗證碼登入/, `refusal ${i}`);
    assert.equal(visitor.cookie('omd_staff'), undefined);
  }
  // A replay: a good answer used a second time finds its challenge already taken.
  await visitor.get('/console/sign-in');
  const options = (await visitor.postJson('/console/sign-in/passkey/options', {})).json as { options: PublicKeyCredentialRequestOptionsJSON };
  const good = JSON.stringify(device.get(options.options, origin));
  assert.equal((await visitor.post('/console/sign-in/passkey', { response: good })).status, 303);
  const replay = new ConsoleClient(h.t.url);
  replay.setCookie('omd_console', visitor.cookie('omd_console') ?? '');
  await replay.get('/console/sign-in');
  const replayed = await replay.post('/console/sign-in/passkey', { response: good });
  assert.equal(replayed.status, 401, 'a replayed assertion is refused');

  const account = await h.t.hub.db.selectFrom('rate_limits').select('count').where('key', '=', `staff-sign-in-account:${login.id}`).executeTakeFirstOrThrow();
  // Five bent answers of its own passkey and the replay count against the account (garbage names no account).
  assert.equal(Number(account.count), 6);
  const outcomes = await staffEntries(login.id);
  assert.equal(outcomes.filter((o) => o === 'sign_in_refused').length, 6, outcomes.join());

  // Up to the account's limit, then even the real passkey waits, as after wrong passwords.
  for (let i = 6; i < SIGN_IN_LIMITS.account.max; i++) {
    assert.equal((await passkeySignIn(visitor, (o) => device.get(o, origin, undefined, { userVerified: false }))).status, 401);
  }
  const limited = await passkeySignIn(new ConsoleClient(h.t.url), (o) => device.get(o, origin));
  assert.equal(limited.status, 429);
  assert.match(limited.text, /登入失敗次數過多，請 15 分鐘後再試/);
  // The limit lifts with the window (the hub's clock moves; the address's count goes with it).
  offsetMs += SIGN_IN_LIMITS.account.windowMs + 1000;
  const later = await passkeySignIn(new ConsoleClient(h.t.url), (o) => device.get(o, origin));
  assert.equal(later.status, 303, later.text);
});

test('a passkey of a disabled account is refused; an operator reset removes the account’s passkeys', async () => {
  const { login, console, device } = await clerk('hualien-social');
  assert.equal((await addPasskey(console, device)).status, 303);
  await disableStaffAccount(h.t.hub.db, login.id, true);
  const refused = await passkeySignIn(new ConsoleClient(h.t.url), (o) => device.get(o, origin));
  assert.equal(refused.status, 403);
  assert.match(refused.text, /此帳號已停用，請洽系統管理者/);
  assert.ok((await staffEntries(login.id)).includes('sign_in_disabled'));

  await disableStaffAccount(h.t.hub.db, login.id, false);
  const enabled = await passkeySignIn(new ConsoleClient(h.t.url), (o) => device.get(o, origin));
  assert.equal(enabled.status, 303, 'enabled again, the passkey works');

  assert.ok(await resetStaffAccount(h.t.hub.db, h.t.hub.secret, login.id));
  assert.equal(await passkeyRows(login.id), 0, 'the reset removed the passkey');
  const after = await passkeySignIn(new ConsoleClient(h.t.url), (o) => device.get(o, origin));
  assert.equal(after.status, 401);
});

test('a clerk removes their own passkey; it no longer signs in', async () => {
  const { login, console, device } = await clerk();
  assert.equal((await addPasskey(console, device)).status, 303);
  const [credentialId] = [...device.credentials.keys()];
  await console.get('/console/passkeys');
  const removed = await console.post('/console/passkeys/remove', { credential: credentialId ?? '' });
  assert.equal(removed.location, '/console/passkeys?notice=removed');
  assert.equal(await passkeyRows(login.id), 0);
  assert.ok((await staffEntries(login.id)).includes('passkey_removed'));
  assert.equal((await passkeySignIn(new ConsoleClient(h.t.url), (o) => device.get(o, origin))).status, 401);
});
