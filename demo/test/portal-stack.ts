// The whole citizen-facing stack for browser tests: a hub with both sign-in methods (the demo CA
// through the local card signer, the mock mobile ID), the seven demo agencies, the mail sink, and a
// browser; plus the steps a person takes on the pages. Each part is closed through `closeAfter`
// the moment it has started, so a failure half-way leaves nothing running.
import assert from 'node:assert/strict';
import { createOidcMethod, createSmtpNotifier, createX509Verifier, parseRegistry, seedRegistry } from '@openmydata/hub';
import type { Page } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../../packages/hub/test/helpers/browser.ts';
import { cspViolations } from '../../packages/hub/test/helpers/csp.ts';
import { startTestHub, type TestHub } from '../../packages/hub/test/helpers/hub.ts';
import { startDemoAgencies } from '../src/agencies.ts';
import { createDemoCa, type DemoCa } from '../src/ca/index.ts';
import { registryWith } from '../src/catalogue.ts';
import { startMockIdp } from '../src/idp/mock-idp.ts';
import { startMailSink } from '../src/mail/mail-sink.ts';
import { maskNationalId, type RunningSigner, startSigner } from '../src/signer/index.ts';
import { freePorts } from './ports.ts';

const SECRET = 'portal-stack-client-secret';

export interface PortalStack {
  t: TestHub;
  /** The hub as the browser reaches it (localhost: a secure context for passkeys). */
  base: string;
  ca: DemoCa;
  signer: RunningSigner;
  mail: Awaited<ReturnType<typeof startMailSink>>;
  browser: Awaited<ReturnType<typeof launchBrowser>>;
}

export async function startPortalStack(band: { from: number; to: number }, closeAfter: (close: () => unknown) => void): Promise<PortalStack> {
  const port = await freePorts(band);
  const hubUrl = `http://localhost:${port}`;
  const ca = await createDemoCa();
  const signer = await startSigner({ port: 0, hubOrigin: hubUrl, ca, inserted: null });
  closeAfter(signer.close);
  const idp = await startMockIdp({
    port: 0,
    clients: [{ client_id: 'openmydata-hub', client_secret: SECRET, redirect_uris: [`${hubUrl}/login/oidc/callback`] }],
  });
  closeAfter(idp.close);
  const trust = ca.trustMaterial();
  const mail = await startMailSink({ smtpPort: 0, httpPort: 0 });
  closeAfter(mail.close);
  const t = await startTestHub({
    notifier: createSmtpNotifier({ url: mail.smtpUrl, from: 'OpenMyData <no-reply@openmydata.invalid>' }),
    env: { HUB_PORT: String(port), HUB_PUBLIC_URL: hubUrl, BROKER_TIMEOUT_SECONDS: '10' },
    identity: {
      x509: {
        verifier: createX509Verifier({ trustAnchorsPem: [trust.rootCaPem], crls: () => [trust.issuingCrlDer, trust.rootCrlDer] }),
        signerUrl: signer.url,
      },
      oidc: createOidcMethod({ issuer: idp.issuer, clientId: 'openmydata-hub', clientSecret: SECRET, redirectUri: `${hubUrl}/login/oidc/callback` }),
    },
  });
  closeAfter(() => t.stop());
  const agencies = await startDemoAgencies({ hub: { issuer: hubUrl, jwksUrl: `${hubUrl}/.well-known/jwks.json` }, portOf: () => 0, maintenance: () => [] });
  closeAfter(agencies.close);
  const urls = new Map(agencies.agencies.map((a) => [a.id, a.url]));
  await seedRegistry(
    t.hub.db,
    parseRegistry(
      registryWith(
        (a) => urls.get(a.id) as string,
        () => [],
      ),
    ),
  );
  t.hub.catalogue.invalidate();
  const browser = await launchBrowser();
  closeAfter(browser.close);
  return { t, base: t.url.replace('127.0.0.1', 'localhost'), ca, signer, mail, browser };
}

/** axe finds nothing serious, and the page reported no Content-Security-Policy violation. */
export async function audit(page: Page, label: string, audited?: string[]): Promise<void> {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${label} (${page.url()})`);
  assert.deepEqual(cspViolations(page), [], `no Content-Security-Policy violation up to ${label}`);
  audited?.push(label);
}

/** The mock mobile ID: the person types their ID and the code the app shows. */
export async function signInWithMobileId(page: Page, nationalId: string): Promise<void> {
  await page.locator('a[href^="/login/oidc/start"]').click();
  const code = (await page.locator('p.code').textContent())?.trim() ?? '';
  await page.getByLabel('身分證統一編號').fill(nationalId);
  await page.getByLabel('App 顯示的 6 位數確認碼').fill(code);
  await page.getByRole('button', { name: /在 App 中確認並登入/ }).click();
}

/** The person puts their card in the reader; the page names the one card it holds, in its language. */
export async function signInWithCard(stack: PortalStack, page: Page, nationalId: string, onCardPage?: (page: Page) => Promise<void>): Promise<void> {
  assert.ok(stack.ca.cards.get(nationalId), 'the demo CA has this citizen');
  stack.signer.insert(nationalId);
  await page.locator('a[href^="/login/x509"]').click();
  await page.locator('#cards input[name=card]').first().waitFor();
  const lang = await page.locator('html').getAttribute('lang');
  const label = page.getByLabel(lang === 'en' ? /Citizen certificate no\. [0-9A-F]{6} \(/ : /自然人憑證 卡號 [0-9A-F]{6}（/);
  assert.equal(await label.count(), 1, 'the reader holds one card, named in the page language');
  assert.match((await page.locator('label[for="card-0"]').textContent()) ?? '', new RegExp(maskNationalId(nationalId).replaceAll('*', '\\*')));
  await label.check();
  await onCardPage?.(page);
  await page.getByRole('button', { name: /簽章並登入|Sign and sign in/ }).click();
}

/** Ticks data sets in the catalogue and asks to download them. */
export async function choose(stack: PortalStack, page: Page, datasets: string[], onCatalogue?: (page: Page) => Promise<void>): Promise<void> {
  await page.goto(`${stack.base}/catalogue`);
  await onCatalogue?.(page);
  for (const id of datasets) await page.locator(`#pick-${id}`).check();
  await page.getByRole('button', { name: /下載所選資料/ }).click();
}
