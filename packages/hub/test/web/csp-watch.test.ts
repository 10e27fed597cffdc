// The browser tests' CSP watch can fail: a page whose policy blocks an inline style is reported.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { launchBrowser } from '../helpers/browser.ts';
import { cspViolations, watchCsp } from '../helpers/csp.ts';
import { contentSecurityPolicy } from '../../src/web/security-headers.ts';

const server = createServer((req, res) => {
  const inline = req.url === '/inline';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': contentSecurityPolicy({}) });
  res.end(`<!doctype html><title>t</title><p${inline ? ' style="color:red"' : ''}>hello</p>`);
});
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let base = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server.close();
});

test("an inline style blocked by the portal's policy is reported; a clean page reports nothing", async () => {
  const context = await browser.browser.newContext();
  watchCsp(context);
  const page = await context.newPage();
  await page.goto(`${base}/clean`);
  assert.deepEqual(cspViolations(page), []);
  await page.goto(`${base}/inline`);
  await page.waitForFunction(() => true);
  const deadline = Date.now() + 5000;
  while (cspViolations(page).length === 0 && Date.now() < deadline) await page.waitForTimeout(50);
  assert.equal(cspViolations(page).length, 1, 'the blocked inline style is reported');
  await context.close();
});
