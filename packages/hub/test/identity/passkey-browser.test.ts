// Passkeys in a real browser against the hub's own routes: Chromium (the system's or npm's) with a CDP virtual authenticator
// (resident keys, user verification) binds a passkey from the history page after a strong login,
// signs in with it on the login page, removes it again; and what the browser and the table hold.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { freePorts } from '../../../../demo/test/ports.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { cspViolations, watchCsp } from '../helpers/csp.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { signedIn } from '../helpers/portal-client.ts';

const ID = 'A123456789';
let t: TestHub;
let origin: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;

before(async () => {
  // 'localhost': browsers treat it as a secure context, so WebAuthn works over plain http, and the
  // passkey's relying party (the hub's public URL) must be known before the hub starts.
  const port = await freePorts({ from: 14_000, to: 16_000 });
  origin = `http://localhost:${port}`;
  t = await startTestHub({ env: { HUB_PORT: String(port), HUB_PUBLIC_URL: origin } });
  browser = await launchBrowser();
  context = await browser.browser.newContext();
  watchCsp(context);
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  authenticatorId = added.authenticatorId;
});

after(async () => {
  await browser?.close();
  await t?.stop();
});

/** A session as a certificate login leaves it, handed to the browser. */
async function strongLogin(): Promise<void> {
  const client = await signedIn(t.hub, origin, ID, 1);
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.clearCookies({ name: 'omd_sid' });
  await context.addCookies([{ name, value, url: origin }]);
}

/** The hint a browser keeps once a passkey was bound there (another device of the person, say). */
async function hintPasskey(): Promise<void> {
  await context.addCookies([{ name: 'omd_pk', value: '1', url: origin }]);
}

async function signInWithPasskey(): Promise<void> {
  await context.clearCookies({ name: 'omd_sid' });
  await page.goto(`${origin}/login?next=/history&level=2&lang=en`);
  await Promise.all([page.waitForURL(/\/history$|\/login\/passkey$/), page.locator('form[data-passkey="login"] button').click()]);
}

test('after a strong login the history page binds a passkey; it then signs the person in at level 2', async () => {
  await strongLogin();
  await page.goto(`${origin}/history?lang=en`);
  await Promise.all([page.waitForURL(/passkey=registered/), page.getByRole('button', { name: 'Bind a passkey on this device' }).click()]);
  assert.match((await page.locator('main').textContent()) ?? '', /The passkey is bound/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  const [credential] = credentials;
  assert.equal(credential?.isResidentCredential, true);
  assert.equal(credential?.rpId, 'localhost');
  const rows = await t.hub.db.selectFrom('passkeys').selectAll().execute();
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.equal(row?.subject_key, t.hub.subjectKey(ID));
  assert.equal(Buffer.from(credential?.userHandle ?? '', 'base64').toString('base64url'), row?.user_handle);
  assert.ok(!JSON.stringify(rows).includes(ID), 'no national ID in plaintext');

  await signInWithPasskey();
  assert.match(page.url(), /\/history$/);
  assert.match((await page.locator('h1').textContent()) ?? '', /Who used my data/);
  // Chromium's authenticator counts signatures; the hub follows.
  await signInWithPasskey();
  const used = await t.hub.db.selectFrom('passkeys').select(['counter', 'last_used_at']).executeTakeFirstOrThrow();
  assert.ok(Number(used.counter) >= 2, `counter ${String(used.counter)}`);
  assert.ok(used.last_used_at);
  const history = (await (await page.request.get(`${origin}/api/v1/me/history`)).json()) as { entries: Array<{ entry: { action: string; outcome: string } }> };
  assert.ok(history.entries.some((e) => e.entry.action === 'identity_verified' && e.entry.outcome === 'passkey_level_2'));
  assert.deepEqual(cspViolations(page), []);
});

test('the login page offers passkeys only where one was bound, and names each method', async () => {
  const other = await browser.browser.newContext();
  try {
    const fresh = await other.newPage();
    await fresh.goto(`${origin}/login?next=/history&level=2&lang=en`);
    assert.equal(await fresh.locator('form[data-passkey="login"]').count(), 0, 'a browser that bound none is not offered a passkey');
  } finally {
    await other.close();
  }
  await context.clearCookies({ name: 'omd_sid' });
  await page.goto(`${origin}/login?next=/history&level=2&lang=en`);
  assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).count(), 1, 'this browser bound one');
});

test('a passkey sign-in alone cannot bind another passkey', async () => {
  await signInWithPasskey();
  await page.goto(`${origin}/history?lang=en`);
  assert.equal(await page.getByRole('button', { name: 'Bind a passkey on this device' }).count(), 0);
  assert.match((await page.locator('main').textContent()) ?? '', /Sign in with a certificate or mobile ID first to bind a passkey/);
  const csrf = (await page.locator('input[name=_csrf]').first().getAttribute('value')) ?? '';
  const forced = await page.request.post(`${origin}/passkeys/register/options`, { form: { _csrf: csrf }, headers: { accept: 'application/json' } });
  assert.equal(forced.status(), 401);
});

test('the same authenticator cannot bind a second passkey for the person (excludeCredentials)', async () => {
  await strongLogin();
  await page.goto(`${origin}/history?lang=en`);
  await page.getByRole('button', { name: 'Bind a passkey on this device' }).click();
  await page.waitForSelector('[data-passkey-error]:not([hidden])');
  assert.equal((await t.hub.db.selectFrom('passkeys').select('credential_id').execute()).length, 1);
});

test("removing: another person's passkey or a forged form change nothing; the owner's removal stops sign-ins", async () => {
  const [row] = await t.hub.db.selectFrom('passkeys').select('credential_id').execute();
  assert.ok(row);
  const stranger = await signedIn(t.hub, origin, 'B287654326', 1);
  const notTheirs = await stranger.post('/passkeys/delete', { credentialId: row.credential_id });
  assert.equal(notTheirs.status, 303);
  assert.match(notTheirs.headers.get('location') ?? '', /passkey=failed/);
  const owner = await signedIn(t.hub, origin, ID, 1);
  const forged = await owner.post('/passkeys/delete', { credentialId: row.credential_id, _csrf: 'forged' });
  assert.equal(forged.status, 403);
  assert.equal((await t.hub.db.selectFrom('passkeys').select('credential_id').execute()).length, 1, 'still there');

  await strongLogin();
  await page.goto(`${origin}/history?lang=en`);
  await Promise.all([page.waitForURL(/passkey=deleted/), page.getByRole('button', { name: 'Remove' }).click()]);
  assert.equal((await t.hub.db.selectFrom('passkeys').select('credential_id').execute()).length, 0);
  await context.clearCookies({ name: 'omd_sid' });
  await page.goto(`${origin}/login?next=/history&level=2&lang=en`);
  assert.equal(await page.locator('form[data-passkey="login"]').count(), 0, 'with none left, passkeys are no longer offered here');
  // Another browser of the person may still offer it; the authenticator still holds the credential.
  await hintPasskey();
  await signInWithPasskey();
  assert.match((await page.locator('main').textContent()) ?? '', /passkey/i);
  assert.doesNotMatch(page.url(), /\/history$/, 'the removed passkey no longer signs in');
});

test("a cancelled ceremony shows the page's error and leaves the form usable", async () => {
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  await hintPasskey();
  try {
    await context.clearCookies({ name: 'omd_sid' });
    await page.goto(`${origin}/login?next=/history&level=2&lang=en`);
    await page.locator('form[data-passkey="login"] button').click();
    await page.waitForSelector('[data-passkey-error]:not([hidden])');
    assert.equal(await page.isEnabled('form[data-passkey="login"] button'), true);
    assert.match(page.url(), /\/login\?/);
  } finally {
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
  }
});
