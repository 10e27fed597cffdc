// Just enough of a browser for driving the mock IdP with fetch: a cookie jar, redirects followed by
// hand (so the test sees where each one goes), and a sign-in through the IdP's page as a person would.
import assert from 'node:assert/strict';

export interface Page {
  status: number;
  url: URL;
  html: string;
  headers: Headers;
}

export class Browser {
  private readonly jar = new Map<string, string>();

  private remember(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      // An expired cookie is how a server deletes one.
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { ...extra, cookie } : extra;
  }

  async request(url: URL | string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const response = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: this.headers(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.remember(response);
    return response;
  }

  /**
   * Requests url and follows redirects while they stay on `origin`. Returns the first redirect that
   * leaves it (the relying party's callback) or the page it stopped at.
   */
  async visit(url: URL | string, origin: string, init: { form?: Record<string, string> } = {}): Promise<{ leftTo: URL } | { page: Page }> {
    let current = new URL(url);
    let response = await this.request(current, init);
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { page: { status: response.status, url: current, html: await response.text(), headers: response.headers } };
      }
      await response.arrayBuffer();
      current = new URL(location, current);
      if (current.origin !== origin) return { leftTo: current };
      response = await this.request(current);
    }
    throw new Error('too many redirects');
  }
}

/** The 6-digit confirmation code as the page shows it ("123 456"). */
export function confirmationCodeOn(html: string): string {
  const match = /<p class="code">(\d{3} \d{3})<\/p>/.exec(html);
  assert.ok(match?.[1], 'the sign-in page shows a confirmation code');
  return match[1];
}

export function formAction(html: string, suffix: string): string {
  const match = new RegExp(`<form method="post" action="([^"]+${suffix})"`).exec(html);
  assert.ok(match?.[1], `the page has a form posting to …${suffix}`);
  return match[1];
}

/** From the authorization URL to the sign-in page: the IdP redirects to its interaction page. */
export async function openSignInPage(browser: Browser, authorizationUrl: string, idpOrigin: string): Promise<Page> {
  const result = await browser.visit(authorizationUrl, idpOrigin);
  assert.ok('page' in result, `expected the IdP's sign-in page, was sent to ${'leftTo' in result ? result.leftTo.href : ''}`);
  assert.equal(result.page.status, 200, result.page.html.slice(0, 500));
  return result.page;
}

/** Fills in the sign-in form as a person would: the national ID and the code the page shows. */
export async function submitSignIn(
  browser: Browser,
  page: Page,
  idpOrigin: string,
  nationalId: string,
  code = confirmationCodeOn(page.html),
): Promise<{ leftTo: URL } | { page: Page }> {
  const action = new URL(formAction(page.html, '/login'), page.url);
  return browser.visit(action, idpOrigin, { form: { national_id: nationalId, confirmation_code: code } });
}

/** The whole sign-in at the IdP for a citizen; returns the callback URL the IdP sends the browser to. */
export async function signInAtIdp(authorizationUrl: string, idpOrigin: string, nationalId: string, browser = new Browser()): Promise<URL> {
  const page = await openSignInPage(browser, authorizationUrl, idpOrigin);
  const result = await submitSignIn(browser, page, idpOrigin, nationalId);
  assert.ok(
    'leftTo' in result,
    `expected a redirect to the relying party, got ${'page' in result ? `${result.page.status} ${result.page.html.slice(0, 300)}` : ''}`,
  );
  return result.leftTo;
}
