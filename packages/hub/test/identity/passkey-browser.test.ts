// Passkeys in a real browser: Chromium (the system's or npm's) with a CDP virtual authenticator (resident keys,
// user verification) on a tiny page that inlines passkeyScript(). Registers through the script's
// JSON API, logs in through its form binding, and checks what the browser and the table hold.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { createPasskeyMethod, type PasskeyMethod, passkeyScript } from '../../src/identity/passkey/index.ts';
import { IdentityError, type VerifiedIdentity } from '../../src/identity/types.ts';
import { subjectKey } from '../../src/ledger/subject-key.ts';
import type { Db } from '../../src/store/database.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { openTestDb } from '../helpers/open-db.ts';

const ID = 'A123456789';
const CSRF = 'test-csrf-token';
const secret = randomBytes(48);
const SUBJECT = subjectKey(secret, ID);

let db: Db;
let closeDb: () => Promise<void>;
let app: FastifyInstance;
let origin: string;
let method: PasskeyMethod;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
/** The test page's whole "session": one visitor. */
const pending: { register?: unknown; login?: unknown } = {};
const logins: VerifiedIdentity[] = [];
const optionsBodies: unknown[] = [];

const PAGE = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>passkeys</title></head><body><main>
<form id="login" method="post" action="/login/passkey" data-passkey="login" data-options-url="/login/passkey/options">
  <input type="hidden" name="_csrf" value="${CSRF}">
  <input type="hidden" name="next" value="/after">
  <input type="hidden" name="response" value="">
  <p data-passkey-error hidden>The passkey did not work.</p>
  <p data-passkey-unsupported hidden>This browser cannot use passkeys.</p>
  <button type="submit">Sign in with a passkey</button>
</form>
<script>${passkeyScript()}</script></main></body></html>`;

function checkCsrf(body: unknown): void {
  if ((body as Record<string, unknown> | undefined)?._csrf !== CSRF) throw new Error('csrf');
}

before(async () => {
  const opened = await openTestDb();
  db = opened.db;
  closeDb = opened.close;
  app = Fastify();
  await app.register(formbody);
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE()));
  app.post('/passkeys/register/options', async (request) => {
    checkCsrf(request.body);
    const { options, challenge } = await method.registrationOptions(SUBJECT);
    pending.register = challenge;
    return { options };
  });
  app.post('/passkeys/register', async (request, reply) => {
    checkCsrf(request.body);
    const challenge = pending.register;
    delete pending.register;
    try {
      const passkey = await method.verifyRegistration((request.body as Record<string, unknown>).response, challenge, { subjectKey: SUBJECT, nationalId: ID });
      return { ok: true, reference: passkey.reference };
    } catch (error) {
      if (error instanceof IdentityError) return reply.code(400).send({ ok: false, code: error.code });
      throw error;
    }
  });
  app.post('/login/passkey/options', async (request) => {
    checkCsrf(request.body);
    optionsBodies.push(request.body);
    const { options, challenge } = await method.authenticationOptions();
    pending.login = challenge;
    return { options };
  });
  app.post('/login/passkey', async (request, reply) => {
    checkCsrf(request.body);
    const challenge = pending.login;
    delete pending.login;
    const body = request.body as Record<string, unknown>;
    try {
      const identity = await method.verifyAuthentication(body.response, challenge);
      logins.push(identity);
      return reply
        .type('text/html')
        .send(`<!doctype html><title>ok</title><h1 id="result">level ${identity.level} ${identity.reference} next ${String(body.next)}</h1>`);
    } catch (error) {
      if (error instanceof IdentityError)
        return reply.code(401).type('text/html').send(`<!doctype html><title>refused</title><h1 id="result">refused ${error.code}</h1>`);
      throw error;
    }
  });
  // 'localhost': browsers treat it as a secure context, so WebAuthn works over plain http.
  await app.listen({ port: 0, host: 'localhost' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://localhost:${port}`;
  method = createPasskeyMethod({ db, secret, rpId: 'localhost', rpName: 'OpenMyData', origin });

  browser = await launchBrowser();
  context = await browser.browser.newContext();
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  authenticatorId = added.authenticatorId;
  await page.goto(`${origin}/`);
});

after(async () => {
  await browser?.close();
  await app?.close();
  await closeDb?.();
});

type PasskeyApi = { register(config: Record<string, unknown>): Promise<unknown>; supported(): boolean };

async function registerInPage(): Promise<unknown> {
  return page.evaluate(
    (csrf) =>
      (globalThis as unknown as { OpenMyDataPasskey: PasskeyApi }).OpenMyDataPasskey.register({
        optionsUrl: '/passkeys/register/options',
        verifyUrl: '/passkeys/register',
        csrf,
      }),
    CSRF,
  );
}

async function loginWithForm(): Promise<string> {
  await page.goto(`${origin}/`);
  await Promise.all([page.waitForURL(`${origin}/login/passkey`), page.click('#login button')]);
  return (await page.textContent('#result')) ?? '';
}

test('register a passkey in Chromium through the script, then sign in with it through the form', async () => {
  assert.equal(await page.evaluate(() => (globalThis as unknown as { OpenMyDataPasskey: PasskeyApi }).OpenMyDataPasskey.supported()), true);
  const registered = (await registerInPage()) as { ok: boolean; reference: string };
  assert.equal(registered.ok, true);

  // The authenticator holds a discoverable credential whose user handle is the random one we stored.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  const [credential] = credentials;
  assert.equal(credential?.isResidentCredential, true);
  assert.equal(credential?.rpId, 'localhost');
  const rows = await db.selectFrom('passkeys').selectAll().execute();
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.equal(row?.subject_key, SUBJECT);
  assert.equal(Buffer.from(credential?.userHandle ?? '', 'base64').toString('base64url'), row?.user_handle);
  assert.equal(Buffer.from(credential?.credentialId ?? '', 'base64').toString('base64url'), row?.credential_id);
  assert.ok(!JSON.stringify(rows).includes(ID));

  const text = await loginWithForm();
  assert.equal(text, `level 2 ${registered.reference} next /after`);
  assert.equal(logins.at(-1)?.nationalId, ID);
  assert.equal(logins.at(-1)?.method, 'passkey');
  // The form's own fields (CSRF token, where to go next) went to the options URL as JSON.
  assert.deepEqual(optionsBodies.at(-1), { _csrf: CSRF, next: '/after' });

  // Chromium's authenticator counts signatures; the hub follows.
  assert.equal(await loginWithForm(), `level 2 ${registered.reference} next /after`);
  const after = await db.selectFrom('passkeys').select(['counter', 'last_used_at']).executeTakeFirstOrThrow();
  assert.ok(Number(after.counter) >= 2, `counter ${String(after.counter)}`);
  assert.ok(after.last_used_at);
});

test('the same authenticator cannot register a second passkey for the person (excludeCredentials)', async () => {
  await page.goto(`${origin}/`);
  await assert.rejects(registerInPage(), /InvalidStateError/);
  assert.equal((await db.selectFrom('passkeys').select('credential_id').execute()).length, 1);
});

test('a passkey removed at the hub no longer signs in, though the browser still offers it', async () => {
  const [passkey] = await method.listPasskeys(SUBJECT);
  assert.ok(passkey);
  assert.equal(await method.deletePasskey(SUBJECT, passkey.credentialId), true);
  assert.equal(await loginWithForm(), 'refused passkey_unknown');
});

test("a cancelled ceremony shows the page's error and leaves the form usable", async () => {
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  try {
    await page.goto(`${origin}/`);
    await page.click('#login button');
    await page.waitForSelector('[data-passkey-error]:not([hidden])');
    assert.equal(await page.isEnabled('#login button'), true);
    assert.equal(page.url(), `${origin}/`);
  } finally {
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
  }
});
