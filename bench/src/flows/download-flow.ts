// The download flow (mode 1), as a new visitor's browser makes it without a browser: the catalogue
// -> "download these" -> sign in with the mock mobile ID (read the code its page shows, type it
// back) -> sign in with the citizen certificate (the card signs the hub's nonce) -> consent with a
// package password -> the progress page's server-sent events until finished -> the finished page
// -> the one-time ZIP, checked to be a ZIP of the size the page announced.
// The default data sets come from three agencies and answer at once; income-tax-certificate (4 s of
// agency preparation by design) would make every flow at least 4 s long and measure the demo's
// wait, not the stack (try it with --datasets household-personal,labour-insurance,income-tax-certificate).
import { randomBytes } from 'node:crypto';
import { FAILURE_MESSAGES } from '@openmydata/hub';
import { DEMO_AGENCIES } from '../../../demo/src/catalogue.ts';
import { DOWNLOAD_PATHS } from '../../../packages/hub/src/delivery/download/download-index.ts';
import { Browser, dataAttribute, expectStatus, FlowError, inputValue, inputValues, linkTo, type Reply, routeOf, unescapeHtml } from './browser.ts';
import type { DemoStack } from './demo-stack.ts';
import type { FlowContext, FlowKind, FlowResult } from './flow-kind.ts';
import { peopleWithRecords, signInWithCertificate, signInWithMobileId } from './sign-in.ts';

export const DEFAULT_DATASETS = ['household-personal', 'labour-insurance', 'income'];

/** Longest the progress stream may stay open: the broker's own timeouts and retries fit well within it. */
const PROGRESS_TIMEOUT_MS = 120_000;

const agencyOf = new Map(DEMO_AGENCIES.flatMap((a) => a.datasets.map((d): [string, string] => [d.id, a.id])));

/** A failure reason shown on the page, back to its code (either language). */
const reasonCode = new Map(Object.entries(FAILURE_MESSAGES).flatMap(([code, text]) => [[text.en, code] as const, [text['zh-TW'], code] as const]));

/** The entry names in a ZIP's central directory, or undefined when the bytes are not a whole ZIP. */
export function zipEntryNames(zip: Buffer): string[] | undefined {
  if (zip.length < 22 || zip.readUInt32LE(0) !== 0x04034b50) return undefined;
  for (let end = zip.length - 22; end >= Math.max(0, zip.length - 22 - 65_535); end--) {
    if (zip.readUInt32LE(end) !== 0x06054b50 || end + 22 + zip.readUInt16LE(end + 20) !== zip.length) continue;
    const names: string[] = [];
    let at = zip.readUInt32LE(end + 16);
    for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
      if (at + 46 > end || zip.readUInt32LE(at) !== 0x02014b50) return undefined;
      const nameLength = zip.readUInt16LE(at + 28);
      names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
      at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    }
    return names;
  }
  return undefined;
}

/** Reads server-sent events until one says the retrieval finished; answers the last progress seen. */
async function followProgress(browser: Browser, url: URL): Promise<Array<{ dataset: string; state: string }>> {
  const started = performance.now();
  const res = await browser.open('GET', url, undefined, 'GET /download/retrievals/:id/events', PROGRESS_TIMEOUT_MS);
  if (res.statusCode !== 200) {
    res.resume();
    throw new FlowError(`GET ${routeOf(url)} → ${res.statusCode}`);
  }
  let buffered = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      buffered += chunk.toString('utf8');
      let end = buffered.indexOf('\n\n');
      while (end >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf('\n\n');
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (!data) continue;
        const message = JSON.parse(data) as { finished: boolean; progress: Array<{ dataset: string; state: string }> };
        if (message.finished) {
          res.destroy();
          browser.timings.step('GET /download/retrievals/:id/events', performance.now() - started);
          return message.progress;
        }
      }
    }
  } catch (error) {
    if (error instanceof FlowError) throw error;
    throw new FlowError('GET /download/retrievals/:id/events → connection lost');
  }
  throw new FlowError('GET /download/retrievals/:id/events → ended before finished');
}

/** The finished page's rows: data set, state text and failure text. */
function finishedRows(page: string): Array<{ dataset: string; reason: string }> {
  return [...page.matchAll(/<tr data-dataset="([^"]+)">.*?<td class="reason">(.*?)<\/td><\/tr>/gs)].map((m) => ({
    dataset: unescapeHtml(m[1] as string),
    reason: unescapeHtml(m[2] as string).trim(),
  }));
}

async function downloadFlow(stack: DemoStack, nationalId: string, datasets: readonly string[], ctx: FlowContext): Promise<FlowResult> {
  const browser = new Browser({ timeoutMs: ctx.requestTimeoutMs, signal: ctx.signal, timings: ctx.timings });
  const hub = stack.hubUrl;
  const selection = new URLSearchParams(datasets.map((d): [string, string] => ['datasets', d]));

  // A new visitor looks at the catalogue and asks to download three data sets.
  const catalogue = await browser.send('GET', new URL('/catalogue', hub));
  expectStatus(catalogue, 200);
  for (const id of datasets) if (!catalogue.text().includes(`value="${id}"`)) throw new FlowError(`GET /catalogue → no data set ${id}`);
  let page = await browser.follow('GET', new URL(`/download?${selection}`, hub));
  expectStatus(page, 200);
  if (routeOf(page.url) !== '/login') throw new FlowError(`GET /download → ${routeOf(page.url)}, not the sign-in page`);

  // Mobile ID: the hub sends the browser to the mock IdP, whose page shows the code the app would.
  page = await signInWithMobileId(browser, page, nationalId);

  // Citizen certificate: a first use needs a second method, and a known person is asked for it by
  // this flow all the same (it costs the hub the same; every flow does both, whoever it is).
  const afterMobile = page.url;
  const next = routeOf(afterMobile) === '/login' ? (afterMobile.searchParams.get('next') ?? '/') : `${afterMobile.pathname}${afterMobile.search}`;
  const level = routeOf(afterMobile) === '/login' ? (afterMobile.searchParams.get('level') ?? '4') : '1';
  const certificateLink = routeOf(afterMobile) === '/login' ? linkTo(page.text(), '/login/x509') : `/login/x509?${new URLSearchParams({ next, level })}`;
  if (!certificateLink) throw new FlowError('GET /login → no certificate sign-in offered after the mobile ID');
  page = await signInWithCertificate(browser, stack, certificateLink, nationalId);
  if (routeOf(page.url) !== '/download/consent') throw new FlowError(`POST /login/x509 → ${routeOf(page.url)}, not the consent page`);

  // Consent with a package password.
  const consent = page.text();
  const chosen = inputValues(consent, 'datasets');
  if (chosen.length !== datasets.length) throw new FlowError(`GET /download/consent → ${chosen.length} data sets, not ${datasets.length}`);
  const password = randomBytes(12).toString('base64url');
  const consentForm = new URLSearchParams({ _csrf: inputValue(consent, '_csrf') ?? '' });
  for (const id of chosen) consentForm.append('datasets', id);
  consentForm.append('password', password);
  consentForm.append('password2', password);
  consentForm.append('email', '');
  const granted = await browser.send('POST', new URL('/download/consent', hub), { form: consentForm });
  if (granted.status !== 303 || !granted.headers.location) throw new FlowError(`POST /download/consent → ${granted.status}`);
  const progressUrl = new URL(granted.headers.location, hub);
  const progressPage = await browser.send('GET', progressUrl);
  expectStatus(progressPage, 200);

  // Live progress until every data set has answered (the page's script does the same).
  const events = dataAttribute(progressPage.text(), 'progress', 'events');
  const progress = events ? await followProgress(browser, new URL(events, hub)) : [];
  const finished = await browser.send('GET', progressUrl);
  expectStatus(finished, 200);
  const finishedPage = finished.text();
  const failed = finishedRows(finishedPage).filter((row) => row.reason !== '');
  if (failed.length > 0) {
    const first = failed[0] as { dataset: string; reason: string };
    throw new FlowError(`data set ${first.dataset} (${agencyOf.get(first.dataset) ?? '?'}): ${reasonCode.get(first.reason) ?? first.reason}`);
  }
  const notOk = progress.find((p) => p.state !== 'ok');
  if (notOk) throw new FlowError(`data set ${notOk.dataset} (${agencyOf.get(notOk.dataset) ?? '?'}): ${notOk.state}`);

  // The one-time download.
  const link = linkTo(finishedPage, '/download/files/');
  if (!link) throw new FlowError('GET /download/retrievals/:id (finished) → no download link');
  const size = Number(/(\d+) KB/.exec(finishedPage)?.[1]);
  const zip: Reply = await browser.send('GET', new URL(link, hub));
  expectStatus(zip, 200);
  if (!/^application\/zip/.test(zip.headers['content-type'] ?? ''))
    throw new FlowError(`GET /download/files/:token → ${zip.headers['content-type']}, not a ZIP`);
  // The download holds README.txt and contents.zip (the data sets inside it), both encrypted; their
  // names are not, so a whole download can be told from a cut one without the password.
  const entries = zipEntryNames(zip.body);
  if (!entries) throw new FlowError('GET /download/files/:token → not a whole ZIP');
  if (!entries.includes(DOWNLOAD_PATHS.contents)) throw new FlowError(`GET /download/files/:token → no ${DOWNLOAD_PATHS.contents} in the ZIP`);
  if (Math.ceil(zip.body.length / 1024) !== size) throw new FlowError(`GET /download/files/:token → ${zip.body.length} bytes, the page said ${size} KB`);
  return { packages: datasets.length };
}

export const downloadKind: FlowKind = {
  async prepare(stack, options) {
    const datasets = options.datasets ?? DEFAULT_DATASETS;
    const unknown = datasets.filter((d) => !agencyOf.has(d));
    if (unknown.length > 0) throw new Error(`--datasets: not in the demo catalogue: ${unknown.join(', ')}`);
    const people = peopleWithRecords(stack, datasets);
    const agencies = new Set(datasets.map((d) => agencyOf.get(d)));
    return {
      description: `download of ${datasets.join(', ')} (${agencies.size} agencies), both sign-in methods, ${people.length} synthetic citizens round robin`,
      flow: (ctx) => downloadFlow(stack, people[ctx.index % people.length] as string, datasets, ctx),
    };
  },
};
