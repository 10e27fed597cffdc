// The mock IdP's pages in a real browser (Chromium via playwright-core): the sign-in works with
// JavaScript off, and axe-core finds no serious or critical problems on the sign-in and error pages.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, test } from 'node:test';
import { createOidcMethod, type OidcMethod } from '@openmydata/hub';
import type { Browser } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../../../packages/hub/test/helpers/browser.ts';
import { closeAfterAll } from '../../../packages/hub/test/helpers/close-after-all.ts';
import { type RunningMockIdp, startMockIdp } from '../../src/idp/mock-idp.ts';
import { DEMO_PERSONAS } from '../../src/population/citizens.ts';

const SECRET = 'browser-test-client-secret';
const WANG = DEMO_PERSONAS[0]?.nationalId ?? '';

let idp: RunningMockIdp;
let hub: OidcMethod;
let browser: Browser;
let redirectUri: string;
/** The callback URLs the stand-in for the hub received. */
const callbacks: URL[] = [];
const closeAfter = closeAfterAll();

before(async () => {
  // The hub's callback, played by a plain HTTP server: the browser really follows the redirect there.
  const callbackServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', redirectUri);
    // Only the callback itself: the browser asks this origin for /favicon.ico too.
    if (url.pathname === '/login/oidc/callback') callbacks.push(url);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('hub callback');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  closeAfter(() => new Promise((resolve) => callbackServer.close(resolve)));
  redirectUri = `http://localhost:${(callbackServer.address() as AddressInfo).port}/login/oidc/callback`;
  idp = await startMockIdp({
    port: 0,
    clients: [{ client_id: 'openmydata-hub', client_secret: SECRET, redirect_uris: [redirectUri], client_name: 'OpenMyData' }],
  });
  closeAfter(idp.close);
  hub = createOidcMethod({ issuer: idp.issuer, clientId: 'openmydata-hub', clientSecret: SECRET, redirectUri });
  const launched = await launchBrowser();
  closeAfter(launched.close);
  browser = launched.browser;
});

test('a person signs in with JavaScript off and lands on the hub callback', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    const { url, state } = await hub.start();
    await page.goto(url);
    const code = (await page.locator('p.code').textContent()) ?? '';
    await page.getByLabel('身分證統一編號').fill(WANG);
    await page.getByLabel('App 顯示的 6 位數確認碼').fill(code);
    await page.getByRole('button', { name: /在 App 中確認並登入/ }).click();
    // Only the callback itself counts: IdP addresses carry the redirect URI in their query too.
    await page.waitForURL((u) => u.href.startsWith(redirectUri));
    const callback = callbacks.at(-1);
    assert.ok(callback, 'the browser was sent to the hub callback');
    const identity = await hub.finish(callback, state);
    assert.equal(identity.nationalId, WANG);
    assert.equal(identity.level, 2);
  } finally {
    await context.close();
  }
});

test('axe-core finds no serious or critical violations on the sign-in page and its error state', async () => {
  // axe is injected as a script, which the page's CSP rightly forbids; bypass it for the audit only.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    const { url } = await hub.start();
    await page.goto(url);
    assert.deepEqual(await seriousViolations(page), [], 'sign-in page');
    await page.getByLabel('身分證統一編號').fill('A123456788');
    await page.getByLabel('App 顯示的 6 位數確認碼').fill('000000');
    await page.getByRole('button', { name: /在 App 中確認並登入/ }).click();
    await page.getByRole('alert').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'sign-in page with an error');
    await page.goto(`${idp.url}/interaction/expired-or-unknown`);
    assert.deepEqual(await seriousViolations(page), [], 'expired request page');
    const badRequest = new URL(url);
    badRequest.searchParams.set('redirect_uri', 'https://evil.example/cb');
    await page.goto(badRequest.href);
    assert.match((await page.locator('h1').textContent()) ?? '', /無法完成登入/);
    assert.deepEqual(await seriousViolations(page), [], "oidc-provider's error page");
  } finally {
    await context.close();
  }
});
