// One complete online flow (mode 3), as a service and a person make it: the service's pushed request
// (SDK), the person's browser at the hub (sent to sign in with the mock mobile ID, and with the
// citizen certificate too on a first use), the consent screen agreed, the code redeemed with DPoP,
// the data call polled until the delivery arrives, decrypted and every agency package verified
// (SDK). The flows harness drives it: npm run bench -- online (bench/src/flows/online-kind.ts).
import type { ServiceClient } from '@openmydata/service-sdk';
import { type Browser, expectStatus, FlowError, inputValue, routeOf } from './flows/browser.ts';
import type { DemoStack } from './flows/demo-stack.ts';
import { secondMethodIfAsked, signInWithMobileId } from './flows/sign-in.ts';

export interface OnlineFlowContext {
  stack: DemoStack;
  sdk: ServiceClient;
  redirectUri: string;
  service: { id: string; datasets: string[] };
}

/** Longest the service polls the data call for the delivery; the broker's own timeouts fit well within it. */
const DELIVERY_TIMEOUT_MS = 120_000;

/** An SDK call (several requests and the crypto around them) as one step of the report; its failure as the step's. */
async function sdkStep<T>(browser: Browser, name: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    browser.timings.step(name, performance.now() - started);
    return result;
  } catch (error) {
    if (error instanceof FlowError) throw error;
    throw new FlowError(`${name} → ${(error as Error).name}: ${(error as Error).message.slice(0, 120)}`);
  }
}

/** One complete online flow for one person; resolves with the number of agency packages verified. */
export async function onlineFlow(ctx: OnlineFlowContext, browser: Browser, nationalId: string, signal: AbortSignal): Promise<number> {
  const { url, pending } = await sdkStep(browser, 'SDK pushed authorization request', () =>
    ctx.sdk.pushAuthorization({ service: ctx.service.id, datasets: ctx.service.datasets }),
  );
  let page = await browser.follow('GET', url);
  expectStatus(page, 200);
  if (routeOf(page.url) !== '/login') throw new FlowError(`GET ${routeOf(url)} → ${routeOf(page.url)}, not the sign-in page`);
  page = await signInWithMobileId(browser, page, nationalId);
  page = await secondMethodIfAsked(browser, ctx.stack, page, nationalId, 'oidc');
  if (!routeOf(page.url).startsWith('/services/consent')) throw new FlowError(`sign-in → ${routeOf(page.url)}, not the consent page`);

  // Agree; the hub sends the browser back to the service with the code (the service is this process,
  // so the callback address is handed to the SDK, not fetched).
  let reply = await browser.send('POST', page.url, {
    form: new URLSearchParams({ _csrf: inputValue(page.text(), '_csrf') ?? '', decision: 'agree', email: '' }),
  });
  let callback: URL | undefined;
  for (let hop = 0; hop < 10 && !callback && reply.status >= 300 && reply.status < 400 && reply.headers.location; hop++) {
    const next = new URL(reply.headers.location, reply.url);
    if (next.href.startsWith(ctx.redirectUri)) callback = next;
    else reply = await browser.send('GET', next);
  }
  if (!callback) throw new FlowError(`POST ${routeOf(page.url)} → ${reply.status}, not back to the service`);

  const authorization = await sdkStep(browser, 'SDK code for token (DPoP)', () => ctx.sdk.handleCallback(callback, pending));
  const delivery = await sdkStep(browser, 'SDK data call until delivered, decrypted, verified', () =>
    ctx.sdk.waitForData(authorization, { timeoutMs: DELIVERY_TIMEOUT_MS, signal }),
  );
  if (!delivery.complete) {
    const first = delivery.datasets.find((d) => !d.verdict?.ok);
    throw new FlowError(`incomplete delivery: ${first ? `${first.dataset} ${first.status} ${first.reason ?? 'unverified'}` : 'not complete'}`);
  }
  const unverified = delivery.datasets.find((d) => !d.verdict?.ok);
  if (unverified) throw new FlowError(`delivery: ${unverified.dataset} not verified (${unverified.reason ?? 'no verdict'})`);
  return delivery.datasets.length;
}
