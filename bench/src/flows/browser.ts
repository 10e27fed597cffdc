// A scripted browser for the flow benches: one per flow, so each flow is a new visitor with its own
// cookies. Plain node:http over one shared keep-alive agent keeps the client's own CPU per request
// small, since the client shares the machine with the stack it measures. Cookies are kept the way a
// browser keeps them: per host name (not per port), with Path and expiry honoured.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** One agent for every flow: connections are reused between requests, as a browser reuses them. */
const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 256 });

/** A step of a flow that did not go as a person's browser expects; `reason` groups the errors in the report. */
export class FlowError extends Error {
  override readonly name = 'FlowError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  url: URL;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number | undefined;
}

/** Turns /download/retrievals/6f1c…/events into /download/retrievals/:id/events, so steps and errors group by route. */
export function routeOf(url: URL): string {
  return (
    url.pathname
      .replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/g, '/:id')
      .replace(/\/(interaction|auth)\/[A-Za-z0-9_-]{8,}/, '/$1/:uid')
      .replace(/\/download\/files\/[^/]+/, '/download/files/:token')
      // Other opaque ids (a consent screen's, an authorization request's): long base64url segments
      // with a digit, capital or underscore somewhere, which no readable path segment has.
      .replace(/\/(?=[a-z-]*[0-9A-Z_])[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/:id')
  );
}

export interface Timings {
  /** Called once per request with its step name (method and route) and its duration in ms. */
  step(name: string, ms: number): void;
}

export interface BrowserOptions {
  timeoutMs: number;
  signal: AbortSignal;
  timings?: Timings;
  language?: string;
}

export class Browser {
  constructor(
    private readonly options: BrowserOptions,
    private readonly jar = new Map<string, Cookie[]>(),
  ) {}

  /** The same cookies (a clerk who stays signed in across flows) under one flow's signal, time-out and timings. */
  withOptions(options: BrowserOptions): Browser {
    return new Browser(options, this.jar);
  }

  /** Where steps that are not single requests (a stream read to its end) report their duration. */
  get timings(): Timings {
    return this.options.timings ?? { step() {} };
  }

  private cookieHeader(url: URL): string | undefined {
    const now = Date.now();
    const cookies = (this.jar.get(url.hostname) ?? []).filter(
      (c) =>
        (c.expiresAt === undefined || c.expiresAt > now) && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
    );
    // Longer paths first, as browsers order them.
    cookies.sort((a, b) => b.path.length - a.path.length);
    return cookies.length > 0 ? cookies.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  private keep(url: URL, setCookie: string[] | undefined): void {
    if (!setCookie) return;
    const cookies = this.jar.get(url.hostname) ?? [];
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expiresAt: number | undefined;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.trim().split('=');
        const argument = rest.join('=');
        if (/^path$/i.test(key) && argument.startsWith('/')) path = argument;
        else if (/^max-age$/i.test(key)) expiresAt = Date.now() + Number(argument) * 1000;
        else if (/^expires$/i.test(key) && expiresAt === undefined) expiresAt = Date.parse(argument);
      }
      const kept = cookies.filter((c) => !(c.name === name && c.path === path));
      if (expiresAt === undefined || expiresAt > Date.now()) kept.push({ name, value, path, expiresAt });
      cookies.length = 0;
      cookies.push(...kept);
    }
    this.jar.set(url.hostname, cookies);
  }

  /** Sends one request and reads the whole answer; redirects are not followed. */
  async send(
    method: 'GET' | 'POST',
    url: URL,
    body?: { form: URLSearchParams } | { json: unknown; origin?: string },
    stepName = `${method} ${routeOf(url)}`,
  ): Promise<Reply> {
    const started = performance.now();
    const res = await this.open(method, url, body, stepName);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      throw new FlowError(`${stepName} → connection lost`);
    }
    this.options.timings?.step(stepName, performance.now() - started);
    const data = Buffer.concat(chunks);
    return { status: res.statusCode ?? 0, headers: res.headers, body: data, text: () => data.toString('utf8'), url };
  }

  /** Opens a request and hands back the answer's stream (for server-sent events, with a longer `timeoutMs`). */
  open(
    method: 'GET' | 'POST',
    url: URL,
    body?: { form: URLSearchParams } | { json: unknown; origin?: string },
    stepName = `${method} ${routeOf(url)}`,
    timeoutMs = this.options.timeoutMs,
  ): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : 'form' in body ? Buffer.from(body.form.toString()) : Buffer.from(JSON.stringify(body.json));
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
      'accept-language': this.options.language ?? 'zh-TW,zh;q=0.9,en;q=0.8',
      'user-agent': 'openmydata-bench',
    };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (payload && body) {
      headers['content-type'] = 'form' in body ? 'application/x-www-form-urlencoded' : 'application/json';
      headers['content-length'] = String(payload.length);
      if ('json' in body && body.origin) headers.origin = body.origin;
    }
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(url, { method, headers, agent, family: 4, signal: this.options.signal, timeout: timeoutMs }, (res) => {
        this.keep(url, res.headers['set-cookie']);
        resolve(res);
      });
      req.on('timeout', () => req.destroy(new FlowError(`${stepName} → no answer within ${timeoutMs / 1000} s`)));
      req.on('error', (error: Error & { code?: string }) => {
        if (error instanceof FlowError) reject(error);
        else if (this.options.signal.aborted) reject(new FlowError('cut off at the time limit'));
        else reject(new FlowError(`${stepName} → ${error.code ?? error.message}`));
      });
      req.end(payload);
    });
  }

  /** GET (or POST) and follow redirects to the page they end on; every hop is a step of its own. */
  async follow(method: 'GET' | 'POST', url: URL, body?: { form: URLSearchParams }, hops = 10): Promise<Reply> {
    let reply = await this.send(method, url, body);
    for (let hop = 0; hop < hops && reply.status >= 300 && reply.status < 400; hop++) {
      const location = reply.headers.location;
      if (!location) throw new FlowError(`${method} ${routeOf(reply.url)} → ${reply.status} without a Location`);
      reply = await this.send('GET', new URL(location, reply.url));
    }
    return reply;
  }
}

/** Stops with the step and status when a page is not what a browser would get on the happy path. */
export function expectStatus(reply: Reply, expected: number, method = 'GET'): void {
  if (reply.status !== expected) throw new FlowError(`${method} ${routeOf(reply.url)} → ${reply.status}`);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (whole, decimal: string | undefined, hex: string | undefined, name: string | undefined) =>
    decimal ? String.fromCodePoint(Number(decimal)) : hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : (ENTITIES[name as string] ?? whole),
  );
}

/** The value of a hidden input on a page (the first one with that name). */
export function inputValue(page: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(page);
  return match ? unescapeHtml(match[1] as string) : undefined;
}

/** Every value of the inputs with that name. */
export function inputValues(page: string, name: string): string[] {
  return [...page.matchAll(new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`, 'g'))].map((m) => unescapeHtml(m[1] as string));
}

/** The first link whose address starts with `prefix`. */
export function linkTo(page: string, prefix: string): string | undefined {
  const match = new RegExp(`href="(${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^"]*)"`).exec(page);
  return match ? unescapeHtml(match[1] as string) : undefined;
}

/** A data- attribute of the element with that id. */
export function dataAttribute(page: string, id: string, name: string): string | undefined {
  const element = new RegExp(`<[a-z]+[^>]*id="${id}"[^>]*>`).exec(page)?.[0];
  const match = element ? new RegExp(`data-${name}="([^"]*)"`).exec(element) : null;
  return match ? unescapeHtml(match[1] as string) : undefined;
}
