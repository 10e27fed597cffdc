// What a person's browser sees when the portal refuses something: a readable page in their
// language (never problem+json), while API clients keep getting problem+json. Also the limits that
// keep one address from filling the session table or guessing at sign-ins.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../helpers/browser.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const PAGE = { accept: 'text/html,application/xhtml+xml' };
const FORM = { ...PAGE, 'content-type': 'application/x-www-form-urlencoded' };

function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('omd_sid='));
  assert.ok(cookie, 'a session cookie is set');
  return cookie.split(';')[0] as string;
}

function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  assert.ok(match, 'the page carries a CSRF token');
  return match[1] as string;
}

describe('refusals as pages', () => {
  let t: TestHub;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  before(async () => {
    t = await startTestHub();
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => {
    await closeBrowser?.();
    await t.stop();
  });

  for (const [lang, title, help] of [
    ['zh-TW', '表單已逾時', '重新整理後再送出'],
    ['en', 'The form has expired', 'reload the page and send it again'],
  ] as const) {
    test(`a form sent with an expired token shows a ${lang} page, not JSON`, async () => {
      const response = await fetch(`${t.url}/logout?lang=${lang}`, { method: 'POST', headers: FORM, body: '_csrf=stale' });
      assert.equal(response.status, 403);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const body = await response.text();
      assert.match(body, new RegExp(`<html lang="${lang}"`));
      assert.ok(body.includes(title), 'the catalogue title in the page language');
      assert.ok(body.includes(help), 'what to do next');
      assert.ok(!body.includes('"code"'), 'no JSON shown to a person');
    });
  }

  test('an API client sending the same form gets problem+json', async () => {
    const response = await fetch(`${t.url}/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: '_csrf=stale',
    });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(((await response.json()) as { code: string }).code, 'csrf_failed');
  });

  test('a body too large for a form is a readable 413 page', async () => {
    const response = await fetch(`${t.url}/logout?lang=en`, { method: 'POST', headers: FORM, body: `_csrf=${'x'.repeat(2 * 1024 * 1024)}` });
    assert.equal(response.status, 413);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok((await response.text()).includes('The request body is too large'));
  });

  test('the refusal page passes axe in both languages', async () => {
    for (const lang of ['zh-TW', 'en']) {
      const page = await browser.newPage();
      try {
        await page.goto(`${t.url}/?lang=${lang}`);
        // A real form post from the page, with a token that no longer matches any session.
        await page.evaluate((target) => {
          const doc = (
            globalThis as unknown as {
              document: {
                createElement(tag: string): Record<string, unknown> & { appendChild(c: unknown): void; submit(): void };
                body: { appendChild(c: unknown): void };
              };
            }
          ).document;
          const form = doc.createElement('form');
          form.method = 'post';
          form.action = target;
          const input = doc.createElement('input');
          input.name = '_csrf';
          input.value = 'stale';
          form.appendChild(input);
          doc.body.appendChild(form);
          form.submit();
        }, `/logout?lang=${lang}`);
        await page.waitForURL(/\/logout/);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.locator('main h1').count(), 1);
        assert.deepEqual(await seriousViolations(page), []);
      } finally {
        await page.close();
      }
    }
  });
});

describe('limits per client address', () => {
  let t: TestHub;
  let kept = '';
  before(async () => {
    t = await startTestHub({ env: { NEW_SESSIONS_PER_ADDRESS: '3' } });
  });
  after(async () => t.stop());

  test('one address opens a bounded number of sessions; its existing session keeps working', async () => {
    const first = await fetch(`${t.url}/login?lang=en`, { headers: PAGE });
    assert.equal(first.status, 200);
    const cookie = sessionCookie(first);
    kept = cookie;
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${t.url}/login`, { headers: PAGE })).status, 200);
    const refused = await fetch(`${t.url}/login?lang=en`, { headers: PAGE });
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok((await refused.text()).includes('wait a few minutes'));
    const rows = await t.hub.db.selectFrom('sessions').select('id_hash').execute();
    assert.equal(rows.length, 3, 'the refused request made no session');
    const again = await fetch(`${t.url}/login?lang=en`, { headers: { ...PAGE, cookie } });
    assert.equal(again.status, 200, 'a visitor who already has a session is not refused');
  });

  test('twenty failed sign-ins from one address lock sign-in for that address', async () => {
    // The session kept from the test before: failed sign-ins are a counter of their own.
    const cookie = kept;
    // The passkey form is offered only to a browser that has used one (its hint cookie); a forger
    // sends the hint as well.
    const page = await fetch(`${t.url}/login?lang=en`, { headers: { ...PAGE, cookie: `${cookie}; omd_pk=1` } });
    assert.equal(page.status, 200);
    const csrf = csrfOf(await page.text());
    const headers = { ...FORM, cookie };
    const attempt = async () => {
      const options = await fetch(`${t.url}/login/passkey/options`, {
        method: 'POST',
        headers: { ...headers, accept: 'application/json' },
        body: `_csrf=${csrf}`,
      });
      assert.equal(options.status, 200);
      return fetch(`${t.url}/login/passkey?lang=en`, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ _csrf: csrf, response: '{"id":"forged"}' }).toString(),
      });
    };
    for (let i = 0; i < 20; i++) {
      const refused = await attempt();
      assert.equal(refused.status, 401, `attempt ${i + 1} is refused as a failed sign-in`);
      await refused.arrayBuffer();
    }
    const locked = await attempt();
    assert.equal(locked.status, 429);
    assert.ok((await locked.text()).includes('Too many attempts'));
  });
});
