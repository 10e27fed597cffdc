// The two sign-in methods as a person's browser does them, shared by every kind of flow: the mock
// mobile ID (the hub sends the browser to the IdP, whose page shows the code the app would; the
// person types it back) and the citizen certificate (the card signs the hub's nonce at the reader).
// Each answers the page the hub sent the browser to afterwards.
import { CITIZENS } from '../../../demo/src/population/citizens.ts';
import { REVOKED_DEMO_CITIZEN } from '../../../demo/src/ca/index.ts';
import { type DatasetId, recordsFor } from '../../../demo/src/population/records.ts';
import { type Browser, dataAttribute, expectStatus, FlowError, inputValue, linkTo, type Reply, routeOf, unescapeHtml } from './browser.ts';
import { signAtReader } from './card-reader.ts';
import type { DemoStack } from './demo-stack.ts';

/** From the hub's sign-in page: the mobile ID link, the IdP's page, the code typed back. */
export async function signInWithMobileId(browser: Browser, loginPage: Reply, nationalId: string): Promise<Reply> {
  const start = linkTo(loginPage.text(), '/login/oidc/start');
  if (!start) throw new FlowError(`GET ${routeOf(loginPage.url)} → no mobile ID sign-in offered`);
  const idpPage = await browser.follow('GET', new URL(start, loginPage.url));
  expectStatus(idpPage, 200);
  const code = /<p class="code">(\d{3}) (\d{3})<\/p>/.exec(idpPage.text());
  const action = /<form method="post" action="([^"]+\/login)"/.exec(idpPage.text())?.[1];
  if (!code || !action) throw new FlowError(`GET ${routeOf(idpPage.url)} → no confirmation code or form`);
  const page = await browser.follow('POST', new URL(unescapeHtml(action), idpPage.url), {
    form: new URLSearchParams({ national_id: nationalId, confirmation_code: `${code[1]}${code[2]}` }),
  });
  expectStatus(page, 200);
  return page;
}

/** The certificate page at `link` (on the hub), the card's signature, the form posted; follows where the hub sends next. */
export async function signInWithCertificate(browser: Browser, stack: DemoStack, link: string, nationalId: string): Promise<Reply> {
  const hub = new URL(stack.hubUrl);
  const certificatePage = await browser.send('GET', new URL(link, hub));
  expectStatus(certificatePage, 200);
  const form = certificatePage.text();
  const signed = await signAtReader(stack.ca, nationalId, {
    signerUrl: dataAttribute(form, 'x509', 'signer'),
    nonce: dataAttribute(form, 'x509', 'nonce'),
    pageOrigin: certificatePage.url.origin,
    hubOrigin: hub.origin,
  });
  const page = await browser.follow('POST', new URL('/login/x509', hub), {
    form: new URLSearchParams({
      _csrf: inputValue(form, '_csrf') ?? '',
      next: inputValue(form, 'next') ?? '',
      level: inputValue(form, 'level') ?? '',
      certificatePem: signed.certificatePem,
      chainPem: JSON.stringify(signed.chainPem),
      signature: signed.signature,
    }),
  });
  expectStatus(page, 200);
  return page;
}

/**
 * When the hub asks for a second method (a person's first use needs two), the one not yet used;
 * otherwise the page as it is. A person seen in an earlier flow of the run is known by then.
 */
export async function secondMethodIfAsked(browser: Browser, stack: DemoStack, page: Reply, nationalId: string, used: 'oidc' | 'x509'): Promise<Reply> {
  if (routeOf(page.url) !== '/login') return page;
  if (used === 'x509') return signInWithMobileId(browser, page, nationalId);
  const link = linkTo(page.text(), '/login/x509');
  if (!link) throw new FlowError('GET /login → no certificate sign-in offered after the mobile ID');
  return signInWithCertificate(browser, stack, link, nationalId);
}

/**
 * Synthetic citizens who can sign in with both methods (a card that is not revoked) and have records
 * in every data set given, so every flow fetches one agency package per data set.
 */
export function peopleWithRecords(stack: DemoStack, datasets: readonly string[]): string[] {
  const people = CITIZENS.map((c) => c.nationalId).filter(
    (id) => id !== REVOKED_DEMO_CITIZEN && stack.ca.cards.has(id) && datasets.every((d) => recordsFor(d as DatasetId, id) !== null),
  );
  if (people.length === 0) throw new Error(`no synthetic citizen has records in every one of ${datasets.join(', ')}`);
  return people;
}
