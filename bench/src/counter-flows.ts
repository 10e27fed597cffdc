// One complete counter flow (mode 2), as a person and a clerk make it: the person signs in with the
// citizen certificate (and the mobile ID too on a first use), consents to a counter service, follows
// the retrieval until the code is shown; the clerk (signed in with password and TOTP beforehand)
// scans it, the person reads out the confirmation code the hub mailed, the clerk confirms, reads the
// case with every agency package verified and closes it. The flows harness drives it:
// npm run bench -- counter (bench/src/flows/counter-kind.ts).
import { totpCode } from '@openmydata/hub';
import { type Browser, expectStatus, FlowError, inputValue, type Reply, routeOf } from './flows/browser.ts';
import type { DemoStack } from './flows/demo-stack.ts';
import { secondMethodIfAsked, signInWithCertificate } from './flows/sign-in.ts';

/** Longest the progress stream may stay open: the broker's own timeouts and retries fit well within it. */
const PROGRESS_TIMEOUT_MS = 120_000;
/** Longest the person waits for the confirmation mail after the scan. */
const MAIL_TIMEOUT_MS = 30_000;

export interface CounterFlowContext {
  stack: DemoStack;
  /** The demo mail sink's outbox (its JSON list of messages at /api/messages). */
  outbox: string;
  service: { id: string; datasets: string[] };
}

/** A clerk at a desk: a browser that stays signed in to the console, and the console's CSRF token. */
export interface Clerk {
  browser: Browser;
  csrf: string;
}

/** A page's own message (its alert, else its heading), so a failed step says why without the page's frame. */
function said(reply: Reply): string {
  const text = reply.text();
  return /class="notice error" role="alert">([^<]+)</.exec(text)?.[1] ?? /<h1>([^<]+)</.exec(text)?.[1] ?? '';
}

function expectRedirect(reply: Reply, method: 'GET' | 'POST'): string {
  if (reply.status !== 303 || !reply.headers.location) {
    const why = said(reply);
    throw new FlowError(`${method} ${routeOf(reply.url)} → ${reply.status}${why ? ` (${why})` : ''}`);
  }
  return reply.headers.location;
}

/** Signs a clerk in at the console (password and the authenticator's current code). */
export async function signInClerk(browser: Browser, hubUrl: string, account: { id: string; password: string; totpSecret: string }): Promise<Clerk> {
  const form = await browser.send('GET', new URL('/console/sign-in', hubUrl));
  expectStatus(form, 200);
  const signedIn = await browser.send('POST', new URL('/console/sign-in', hubUrl), {
    form: new URLSearchParams({
      _csrf: inputValue(form.text(), '_csrf') ?? '',
      staff: account.id,
      password: account.password,
      totp: totpCode(account.totpSecret),
    }),
  });
  expectRedirect(signedIn, 'POST');
  const home = await browser.send('GET', new URL('/console', hubUrl));
  expectStatus(home, 200);
  return { browser, csrf: inputValue(home.text(), '_csrf') ?? '' };
}

/** Reads the retrieval's server-sent events until one says it finished. */
async function untilFinished(person: Browser, url: URL): Promise<void> {
  const step = 'GET /counters/retrievals/:id/events';
  const started = performance.now();
  const res = await person.open('GET', url, undefined, step, PROGRESS_TIMEOUT_MS);
  if (res.statusCode !== 200) {
    res.resume();
    throw new FlowError(`${step} → ${res.statusCode}`);
  }
  let buffered = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      buffered += chunk.toString('utf8');
      if (/"finished":true/.test(buffered)) {
        res.destroy();
        person.timings.step(step, performance.now() - started);
        return;
      }
    }
  } catch (error) {
    if (error instanceof FlowError) throw error;
    throw new FlowError(`${step} → connection lost`);
  }
  throw new FlowError(`${step} → ended before finished`);
}

/** The confirmation code in the person's mail, as their mail app would show it. */
async function confirmationCode(ctx: CounterFlowContext, person: Browser, email: string, signal: AbortSignal): Promise<string> {
  const started = performance.now();
  const deadline = Date.now() + MAIL_TIMEOUT_MS;
  while (Date.now() < deadline && !signal.aborted) {
    let messages: Array<{ to: string[]; text: string }>;
    try {
      const res = await fetch(`${ctx.outbox}/api/messages`, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
      ({ messages } = (await res.json()) as { messages: Array<{ to: string[]; text: string }> });
    } catch {
      throw new FlowError(signal.aborted ? 'cut off at the time limit' : 'mail outbox → no answer');
    }
    const code = messages.filter((m) => m.to.includes(email)).map((m) => /確認碼：(\d{6})/.exec(m.text)?.[1])[0];
    if (code) {
      person.timings.step('mail: confirmation code arrived', performance.now() - started);
      return code;
    }
    // The hub answers the scan once the mail server took the message, so one look usually finds it.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new FlowError(signal.aborted ? 'cut off at the time limit' : `no confirmation mail within ${MAIL_TIMEOUT_MS / 1000} s`);
}

/** One complete counter flow for one person at one clerk's desk; resolves with the number of agency packages verified. */
export async function counterFlow(
  ctx: CounterFlowContext,
  person: Browser,
  clerk: Clerk,
  nationalId: string,
  email: string,
  signal: AbortSignal,
): Promise<number> {
  const hub = ctx.stack.hubUrl;
  const next = `/counters/services/${ctx.service.id}/consent`;
  let page = await signInWithCertificate(person, ctx.stack, `/login/x509?${new URLSearchParams({ next, level: '1' })}`, nationalId);
  page = await secondMethodIfAsked(person, ctx.stack, page, nationalId, 'x509');
  if (page.url.pathname !== next) throw new FlowError(`sign-in → ${routeOf(page.url)}, not the counter service's consent page`);

  // Consent, then the retrieval until the code is there.
  const consent = await person.send('POST', page.url, {
    form: new URLSearchParams({ _csrf: inputValue(page.text(), '_csrf') ?? '', email, decision: 'agree' }),
  });
  const retrieval = new URL(expectRedirect(consent, 'POST'), hub);
  await untilFinished(person, new URL(`${retrieval.pathname}/events`, hub));
  const codePage = await person.send('GET', retrieval);
  expectStatus(codePage, 200);
  const code = /class="code-text" lang="en">([0-9A-Z]{4}) ([0-9A-Z]{4})</.exec(codePage.text());
  if (!code) throw new FlowError(`GET ${routeOf(retrieval)} → no code shown${said(codePage) ? ` (${said(codePage)})` : ''}`);

  // The clerk scans it; the person reads out the mailed confirmation code; the clerk confirms.
  const scanned = await clerk.browser.send('POST', new URL('/console/scan', hub), {
    form: new URLSearchParams({ _csrf: clerk.csrf, code: `${code[1]}${code[2]}` }),
  });
  const redemption = /name="redemption" value="([0-9a-f-]{36})"/.exec(scanned.text())?.[1];
  if (!redemption) throw new FlowError(`POST /console/scan → ${scanned.status}, no redemption${said(scanned) ? ` (${said(scanned)})` : ''}`);
  const confirmation = await confirmationCode(ctx, person, email, signal);
  const opened = await clerk.browser.send('POST', new URL('/console/confirm', hub), {
    form: new URLSearchParams({ _csrf: clerk.csrf, redemption, confirmation }),
  });
  const caseUrl = new URL(expectRedirect(opened, 'POST'), hub);
  const casePage = await clerk.browser.send('GET', caseUrl);
  expectStatus(casePage, 200);
  const verified = (casePage.text().match(/class="verdict ok"/g) ?? []).length;
  if (verified !== ctx.service.datasets.length)
    throw new FlowError(`GET ${routeOf(caseUrl)} → ${verified} of ${ctx.service.datasets.length} packages verified`);
  const done = await clerk.browser.send('POST', new URL(`${caseUrl.pathname}/done`, hub), { form: new URLSearchParams({ _csrf: clerk.csrf }) });
  expectRedirect(done, 'POST');
  return verified;
}
