// The counter console, the clerk's surface, as its own Fastify plugin (registered under /console): sign in
// (password + TOTP, or a passkey added after such a sign-in), scan a code (camera, USB scanner typing like a keyboard, or by hand), enter the
// confirmation code the person reads out, read the records with each agency's signature verdict,
// save a PDF, close the case. Refusals are pages in the console's language; nothing is left behind.
// The pages carry the same security headers as the portal (the server adds them to every HTML page).
import { createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FieldEntry } from '../../catalog/registry.ts';
import type { CounterService as CounterRules, OpenCase } from '../../delivery/counter/counter-service.ts';
import { COUNTER_TIMES } from '../../delivery/counter/counter-service.ts';
import { AppError } from '../../errors/problem.ts';
import { passkeyScript } from '../../identity/passkey/browser-script.ts';
import { checkCsrf, csrfToken } from '../../identity/session/csrf.ts';
import type { Logger } from '../../log.ts';
import type { Db } from '../../store/database.ts';
import { type Html, html } from '../../web/html.ts';
import { type Lang, pickLang } from '../../web/i18n.ts';
import { readCookie } from '../../web/portal-session.ts';
import type { CounterDirectory } from '../counter-directory.ts';
import { listStaff, type StaffAccount } from '../counter-repository.ts';
import type { StaffAuth } from '../staff-auth.ts';
import { type StaffPasskeys, staffPasskeyReference } from '../staff-passkeys.ts';
import { CONSOLE_COOKIE, newConsoleId, readConsoleId, STAFF_COOKIE, type StaffSession, type StaffSessionStore } from '../staff-sessions.ts';
import { type ConsoleKey, type ConsoleTranslate, consoleTranslator } from './console-i18n.ts';
import { consolePage } from './console-layout.ts';

export interface ConsoleOptions {
  auth: StaffAuth;
  sessions: StaffSessionStore;
  passkeys: StaffPasskeys;
  counters: CounterRules;
  directory: CounterDirectory;
  db: Db;
  secret: Buffer;
  /** Secure cookies when the hub is served over TLS. */
  secure: boolean;
  logger: Logger;
}

const here = (name: string) => join(import.meta.dirname, 'assets', name);
const ASSETS: Record<string, { type: string; body: string }> = {
  'console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(here('console.js'), 'utf8') },
  'console.css': { type: 'text/css; charset=utf-8', body: readFileSync(here('console.css'), 'utf8') },
  // The portal's own passkey script (one copy for both surfaces), served from the console's path.
  'passkey.js': { type: 'text/javascript; charset=utf-8', body: passkeyScript() },
};

/** Forgiving form fields, as on the portal: a wrong shape is "absent" and the page says what is missing. */
function field(max: number) {
  return z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v.slice(0, max) : ''));
}
// Code input is cut at 200 characters, past the longest code input read (64), so "too long" is still seen.
const langQuery = z.object({ lang: field(8), notice: field(16) }).passthrough();
const signInForm = z.object({ _csrf: field(200), staff: field(64), password: field(300), totp: field(20) });
const csrfOnly = z.object({ _csrf: field(200) }).passthrough();
const scanForm = z.object({ _csrf: field(200), code: field(200) });
const confirmForm = z.object({ _csrf: field(200), redemption: field(64), confirmation: field(40) });
const caseParams = z.object({ id: z.string().max(64) });
const pdfParams = z.object({ id: z.string().max(64), dataset: z.string().max(64) });
const unlockForm = z.object({ _csrf: field(200), staff: field(64) });
const passkeyForm = z.object({ _csrf: field(200), response: field(16_000) });
const removePasskeyForm = z.object({ _csrf: field(200), credential: field(1400) });

interface Signed {
  session: StaffSession;
  staff: StaffAccount;
}

export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (parent, options) => {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const { auth, counters, directory } = options;
  const signInKey = Buffer.from(hkdfSync('sha256', options.secret, Buffer.alloc(0), 'openmydata console sign-in csrf', 32));
  const cookieAttributes = (path: string, maxAge?: number) =>
    [`Path=${path}`, 'HttpOnly', 'SameSite=Strict', ...(options.secure ? ['Secure'] : []), ...(maxAge !== undefined ? [`Max-Age=${maxAge}`] : [])].join('; ');

  function addCookie(reply: FastifyReply, cookie: string): void {
    const existing = reply.getHeader('set-cookie');
    const cookies = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
    reply.header('set-cookie', [...cookies, cookie]);
  }

  function language(request: FastifyRequest, reply: FastifyReply): { lang: Lang; t: ConsoleTranslate } {
    const query = new URLSearchParams(request.url.split('?')[1] ?? '').get('lang') ?? undefined;
    const lang = pickLang(query, readCookie(request, 'omd_lang'));
    if (query === lang) addCookie(reply, `omd_lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
    return { lang, t: consoleTranslator(lang) };
  }

  /** This browser's console id, made (and remembered in a cookie) on first need. */
  function consoleId(request: FastifyRequest, reply: FastifyReply): string {
    const existing = readConsoleId(readCookie(request, CONSOLE_COOKIE));
    if (existing) return existing;
    const id = newConsoleId();
    addCookie(reply, `${CONSOLE_COOKIE}=${id}; ${cookieAttributes('/console', 365 * 24 * 3600)}`);
    return id;
  }

  const signInCsrf = (console: string) => csrfToken(createHmac('sha256', signInKey).update(console).digest());
  const signInCsrfOk = (console: string, token: string) =>
    token.length === signInCsrf(console).length && checkCsrf(createHmac('sha256', signInKey).update(console).digest(), token);

  function staffLabel(signed: Signed, t: ConsoleTranslate, officeName: string | undefined): string {
    return t('signedInAs', {
      staff: signed.staff.id,
      role: t(signed.staff.role === 'supervisor' ? 'roleSupervisor' : 'roleClerk'),
      office: officeName ?? signed.staff.officeId,
    });
  }

  async function send(request: FastifyRequest, reply: FastifyReply, input: { title: string; path: string; body: Html; status?: number; signed?: Signed }) {
    const { lang, t } = language(request, reply);
    const office = input.signed ? await directory.office(input.signed.staff.officeId) : undefined;
    const page = consolePage({
      lang,
      t,
      title: input.title,
      path: input.path,
      body: input.body,
      ...(input.signed ? { staff: { label: staffLabel(input.signed, t, office?.name[lang]), csrf: csrfToken(input.signed.session.key) } } : {}),
    });
    return reply
      .code(input.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(page.value);
  }

  /** The signed-in clerk, or a redirect to sign-in (saying why when their session ended). */
  async function signed(request: FastifyRequest, reply: FastifyReply): Promise<Signed | undefined> {
    // ?lang= is remembered even when the answer is a redirect to sign in.
    language(request, reply);
    const cookie = readCookie(request, STAFF_COOKIE);
    const current = await auth.current(cookie);
    if (current) return current;
    if (cookie) addCookie(reply, `${STAFF_COOKIE}=; ${cookieAttributes('/console', 0)}`);
    await reply.redirect(cookie ? '/console/sign-in?notice=ended' : '/console/sign-in', 303);
    return undefined;
  }

  function requireStaffCsrf(session: StaffSession, body: { _csrf: string }): void {
    if (!checkCsrf(session.key, body._csrf)) throw new AppError('csrf_failed', 'The form has expired.');
  }

  const actorOf = (s: Signed) => ({ staffId: s.staff.id, officeId: s.staff.officeId, consoleId: s.session.consoleId, sessionKey: s.session.key });
  const when = (at: Date, lang: Lang) => at.toLocaleString(lang, { timeZone: 'Asia/Taipei', hour12: false });
  const clock = (at: Date, lang: Lang) => at.toLocaleTimeString(lang, { timeZone: 'Asia/Taipei', hour: '2-digit', minute: '2-digit', hour12: false });

  // Refusals and failures on the console's own pages, in the console's language.
  app.setNotFoundHandler(async (request, reply) => {
    const { t } = language(request, reply);
    return send(request, reply, {
      title: t('notFoundTitle'),
      path: '/console',
      body: html`<h1>${t('notFoundTitle')}</h1><p>${t('notFoundBody')}</p><p><a href="/console">${t('backToScan')}</a></p>`,
      status: 404,
    });
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const { t } = language(request, reply);
    if (error instanceof AppError && error.code === 'csrf_failed') {
      return send(request, reply, {
        title: t('formExpired'),
        path: '/console',
        body: html`<h1>${t('formExpired')}</h1><p><a href="/console">${t('backToScan')}</a></p>`,
        status: 403,
      });
    }
    const status = error instanceof AppError ? error.status : (error.statusCode ?? 500);
    if (status < 500) {
      request.log.info({ code: error.code }, 'console request refused');
      return send(request, reply, {
        title: t('errorTitle'),
        path: '/console',
        body: html`<h1>${t('errorTitle')}</h1><p><a href="/console">${t('backToScan')}</a></p>`,
        status,
      });
    }
    request.log.error({ err: error }, 'console request failed');
    return send(request, reply, {
      title: t('errorTitle'),
      path: '/console',
      body: html`<h1>${t('errorTitle')}</h1><p>${t('errorBody')}</p><p class="meta">${t('errorReference')}: ${request.id}</p>`,
      status: 500,
    });
  });

  app.get('/assets/:name', { schema: { hide: true, params: z.object({ name: z.string().max(64) }) } }, async (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.name) ? ASSETS[request.params.name] : undefined;
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });

  // ---- sign-in and sign-out ----

  async function signInPage(request: FastifyRequest, reply: FastifyReply, problem?: ConsoleKey, status = 200, staffId = '') {
    const { t } = language(request, reply);
    const console = consoleId(request, reply);
    const body = html`<h1>${t('signInTitle')}</h1>
${problem ? html`<p class="notice error" role="alert">${t(problem)}</p>` : ''}
<form method="post" action="/console/sign-in" class="panel">
  <input type="hidden" name="_csrf" value="${signInCsrf(console)}">
  <p>${t('signInLead')}</p>
  <p><label for="staff">${t('staffIdLabel')}</label><br><input id="staff" name="staff" autocomplete="username" required maxlength="64" value="${staffId}"></p>
  <p><label for="password">${t('passwordLabel')}</label><br><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"></p>
  <p><label for="totp">${t('totpLabel')}</label><br><input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required maxlength="6"></p>
  <p><button type="submit">${t('signInButton')}</button></p>
</form>
<form method="post" action="/console/sign-in/passkey" class="panel" data-passkey="login" data-options-url="/console/sign-in/passkey/options">
  <input type="hidden" name="_csrf" value="${signInCsrf(console)}">
  <input type="hidden" name="response" value="">
  <h2>${t('passkeySignInTitle')}</h2>
  <p>${t('passkeySignInLead')}</p>
  <p class="notice error" role="alert" data-passkey-error hidden>${t('passkeyCancelled')}</p>
  <p class="meta" data-passkey-unsupported hidden>${t('passkeyUnsupported')}</p>
  <p><button type="submit" class="secondary">${t('passkeySignInButton')}</button></p>
</form>
<script src="/console/assets/passkey.js" defer></script>`;
    return send(request, reply, { title: t('signInTitle'), path: '/console/sign-in', body, status });
  }

  app.get('/sign-in', { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const notice = request.query.notice;
    return signInPage(request, reply, notice === 'ended' ? 'sessionEnded' : notice === 'out' ? 'signedOut' : undefined);
  });

  app.post('/sign-in', { schema: { hide: true, body: signInForm } }, async (request, reply) => {
    const console = consoleId(request, reply);
    const form = request.body;
    if (!signInCsrfOk(console, form._csrf)) return signInPage(request, reply, 'formExpired', 403);
    const result = await auth.signIn({ staffId: form.staff, password: form.password, totp: form.totp, consoleId: console, address: request.ip });
    if (!result.ok) {
      const problem: ConsoleKey = result.reason === 'disabled' ? 'signInDisabled' : result.reason === 'rate_limited' ? 'signInLimited' : 'signInInvalid';
      return signInPage(request, reply, problem, result.reason === 'rate_limited' ? 429 : result.reason === 'disabled' ? 403 : 401, form.staff.slice(0, 64));
    }
    addCookie(reply, `${STAFF_COOKIE}=${result.cookie}; ${cookieAttributes('/console')}`);
    return reply.redirect('/console', 303);
  });

  // A passkey instead of password + TOTP: options for navigator.credentials.get (JSON, for the
  // page's script), then the answer posted like any sign-in form.
  app.post('/sign-in/passkey/options', { schema: { hide: true, body: csrfOnly } }, async (request, reply) => {
    const console = consoleId(request, reply);
    if (!signInCsrfOk(console, (request.body as { _csrf: string })._csrf)) return reply.code(403).send({ error: 'form_expired' });
    return { options: await options.passkeys.loginOptions(console) };
  });

  app.post('/sign-in/passkey', { schema: { hide: true, body: passkeyForm } }, async (request, reply) => {
    const console = consoleId(request, reply);
    if (!signInCsrfOk(console, request.body._csrf)) return signInPage(request, reply, 'formExpired', 403);
    const result = await auth.signInWithPasskey({ response: request.body.response, consoleId: console, address: request.ip });
    if (!result.ok) {
      const problem: ConsoleKey = result.reason === 'disabled' ? 'signInDisabled' : result.reason === 'rate_limited' ? 'signInLimited' : 'signInPasskeyInvalid';
      return signInPage(request, reply, problem, result.reason === 'rate_limited' ? 429 : result.reason === 'disabled' ? 403 : 401);
    }
    addCookie(reply, `${STAFF_COOKIE}=${result.cookie}; ${cookieAttributes('/console')}`);
    return reply.redirect('/console', 303);
  });

  app.post('/sign-out', { schema: { hide: true, body: csrfOnly } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body as { _csrf: string });
    await counters.closeCasesOf(me.staff.id);
    await auth.signOut(me.session, me.staff);
    addCookie(reply, `${STAFF_COOKIE}=; ${cookieAttributes('/console', 0)}`);
    return reply.redirect('/console/sign-in?notice=out', 303);
  });

  // ---- scanning ----

  async function scanPage(request: FastifyRequest, reply: FastifyReply, me: Signed, message?: { text: string; kind: 'error' | 'ok' }, status = 200) {
    const { lang, t } = language(request, reply);
    const locked = await counters.lockedUntil(actorOf(me));
    const cases = await counters.openCases(actorOf(me));
    const services = new Map((await directory.services()).map((s) => [s.id, s]));
    const lockNotice = locked
      ? html`<section class="notice error" role="alert"><h2>${t('lockedTitle')}</h2><p>${t('locked', { until: clock(locked, lang) })}</p></section>`
      : '';
    const body = html`<h1>${t('scanTitle')}</h1>
${message && !(locked && message.kind === 'error') ? html`<p class="notice ${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}">${message.text}</p>` : ''}
${lockNotice}
<form method="post" action="/console/scan" class="panel scan" id="scan-form">
  <input type="hidden" name="_csrf" value="${csrfToken(me.session.key)}">
  <p>${t('scanLead')}</p>
  <p><label for="code">${t('codeLabel')}</label><br>
  <input id="code" name="code" class="code-input" autocomplete="off" autocapitalize="characters" spellcheck="false" autofocus required${locked ? html` disabled` : ''}></p>
  <p><button type="submit"${locked ? html` disabled` : ''}>${t('scanButton')}</button>
  <button type="button" id="camera" class="secondary" hidden data-stop="${t('cameraStop')}" data-start="${t('cameraButton')}">${t('cameraButton')}</button></p>
  <p id="camera-help" class="meta" hidden>${t('cameraHelp')}</p>
  <p id="camera-failed" class="notice error" hidden>${t('cameraFailed')}</p>
  <video id="camera-view" hidden muted playsinline></video>
</form>
${
  cases.length > 0
    ? html`<section class="panel"><h2>${t('openCases')}</h2><ul>${cases.map(
        (c) =>
          html`<li><a href="/console/cases/${c.id}">${t('openCaseLink', { service: services.get(c.serviceId)?.name[lang] ?? c.serviceId, at: clock(c.createdAt, lang) })}</a></li>`,
      )}</ul></section>`
    : ''
}
<p><a href="/console/passkeys">${t('passkeysLink')}</a></p>
${me.staff.role === 'supervisor' ? html`<p><a href="/console/office">${t('officeLink')}</a></p>` : ''}`;
    return send(request, reply, { title: t('scanTitle'), path: '/console', body, status: locked && status === 200 ? 423 : status, signed: me });
  }

  app.get('/', { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    const { t } = language(request, reply);
    return scanPage(request, reply, me, request.query.notice === 'done' ? { text: t('caseDone'), kind: 'ok' } : undefined);
  });

  app.post('/scan', { schema: { hide: true, body: scanForm } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body);
    const { lang, t } = language(request, reply);
    const result = await counters.scan(actorOf(me), request.body.code);
    const refuse = (key: ConsoleKey, status: number, vars?: Record<string, string | number>) =>
      scanPage(request, reply, me, { text: t(key, vars), kind: 'error' }, status);
    switch (result.kind) {
      case 'locked':
        return scanPage(request, reply, me, undefined, 423);
      case 'refused':
        return refuse(result.problem === 'empty' ? 'refusedEmpty' : result.problem === 'too_long' ? 'refusedTooLong' : 'refusedMalformed', 400);
      case 'unknown':
        return refuse('unknownCode', 404, { left: result.left });
      case 'other_office':
        return refuse('otherOffice', 403, { left: result.left });
      case 'expired':
        return refuse('expiredCode', 410);
      case 'used':
        return result.at ? refuse('usedCode', 410, { at: when(result.at, lang) }) : refuse('usedCodeNoTime', 410);
      case 'replaced':
        return refuse('replacedCode', 410);
      case 'busy':
        return refuse('busyCode', 409);
      case 'not_sent':
        return refuse('notSent', 503);
      case 'sent':
        return confirmPage(request, reply, me, result.redemptionId, result.service?.id);
    }
  });

  async function confirmPage(
    request: FastifyRequest,
    reply: FastifyReply,
    me: Signed,
    redemptionId: string,
    serviceId: string | undefined,
    problem?: string,
    status = 200,
  ) {
    const { lang, t } = language(request, reply);
    const service = serviceId ? await directory.service(serviceId) : undefined;
    const body = html`<h1>${t('confirmTitle')}</h1>
${problem ? html`<p class="notice error" role="alert">${problem}</p>` : ''}
<form method="post" action="/console/confirm" class="panel">
  <input type="hidden" name="_csrf" value="${csrfToken(me.session.key)}">
  <input type="hidden" name="redemption" value="${redemptionId}">
  <input type="hidden" name="service" value="${serviceId ?? ''}">
  <p>${t('confirmLead', { minutes: COUNTER_TIMES.confirmationMs / 60_000 })}</p>
  ${
    service
      ? html`<dl><dt>${t('confirmService')}</dt><dd>${service.office.name[lang]}・${service.name[lang]}</dd>
  <dt>${t('confirmDatasets')}</dt><dd>${service.resolved.map((r) => `${r.dataset.name[lang]}（${r.agency.name[lang]}）`).join('、')}</dd></dl>`
      : ''
  }
  <p><label for="confirmation">${t('confirmationLabel')}</label><br>
  <input id="confirmation" name="confirmation" class="code-input" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus></p>
  <p><button type="submit">${t('confirmButton')}</button> <a href="/console">${t('cancel')}</a></p>
</form>`;
    return send(request, reply, { title: t('confirmTitle'), path: '/console', body, status, signed: me });
  }

  app.post('/confirm', { schema: { hide: true, body: confirmForm.passthrough() } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body);
    const { t } = language(request, reply);
    const serviceId =
      typeof (request.body as Record<string, unknown>).service === 'string'
        ? String((request.body as Record<string, unknown>).service).slice(0, 64)
        : undefined;
    const result = await counters.confirm(actorOf(me), request.body.redemption, request.body.confirmation);
    switch (result.kind) {
      case 'opened':
        return reply.redirect(`/console/cases/${result.caseId}`, 303);
      case 'wrong':
        return confirmPage(request, reply, me, request.body.redemption, serviceId, t('wrongConfirmation', { left: result.left }), 422);
      case 'malformed':
        return confirmPage(request, reply, me, request.body.redemption, serviceId, t('malformedConfirmation'), 400);
      case 'locked':
        return scanPage(request, reply, me, undefined, 423);
      case 'confirmation_expired':
        return scanPage(request, reply, me, { text: t('confirmationExpired'), kind: 'error' }, 410);
      case 'used':
        return scanPage(request, reply, me, { text: t('usedCodeNoTime'), kind: 'error' }, 410);
      case 'no_redemption':
        return scanPage(request, reply, me, { text: t('noRedemption'), kind: 'error' }, 409);
    }
  });

  // ---- cases ----

  function records(fields: FieldEntry[], data: OpenCase['items'][number]['data'], lang: Lang, t: ConsoleTranslate): Html {
    const rows = data?.records ?? [];
    if (rows.length === 0) return html`<p>${t('noRecords')}</p>`;
    const shown = fields.length > 0 ? fields : Object.keys(rows[0] ?? {}).map((id) => ({ id, name: { 'zh-TW': id, en: id }, type: 'string' as const }));
    const format = (value: unknown, type: string) => {
      if (type === 'image') return t('imageInPdf');
      if (value === null || value === undefined) return '—';
      if (typeof value === 'boolean') return value ? t('yes') : t('no');
      if (typeof value === 'number') return value.toLocaleString(lang);
      return String(value);
    };
    return html`<table><thead><tr>${shown.map((f) => html`<th scope="col">${f.name[lang]}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${shown.map((f) => html`<td>${format((r as Record<string, unknown>)[f.id], f.type)}</td>`)}</tr>`)}</tbody></table>`;
  }

  app.get('/cases/:id', { schema: { hide: true, params: caseParams, querystring: langQuery } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    const { lang, t } = language(request, reply);
    const open = await counters.openCase(actorOf(me), request.params.id);
    if (!open) return scanPage(request, reply, me, { text: t('caseGone'), kind: 'error' }, 404);
    const resolved = new Map((open.service?.resolved ?? []).map((r) => [r.dataset.id, r]));
    const sections = open.items.map((item) => {
      const known = resolved.get(item.dataset);
      const name = known?.dataset.name[lang] ?? item.dataset;
      const agency = known?.agency.name[lang] ?? item.agency;
      const verdict = item.verdict.ok
        ? html`<p class="verdict ok" role="status">✔ ${t('verdictOk', { agency, at: when(new Date(item.verdict.signedAt), lang) })}</p>`
        : html`<p class="verdict bad" role="alert">✖ ${t('verdictBad', { reason: item.verdict.message })}</p>`;
      return html`<section class="panel" data-dataset="${item.dataset}"><h2>${name}</h2><p class="meta">${agency}</p>${verdict}
${item.verdict.ok ? records(known?.dataset.fields ?? [], item.data, lang, t) : ''}
${item.pdf ? html`<p><a class="button" href="/console/cases/${open.id}/datasets/${item.dataset}/pdf" download>${t('savePdf', { dataset: name })}</a></p>` : ''}</section>`;
    });
    const title = t('caseTitle', { service: open.service ? `${open.service.office.name[lang]}・${open.service.name[lang]}` : open.serviceId });
    const body = html`<h1>${title}</h1>
<p class="lead">${t('caseLead', { until: clock(open.expiresAt, lang) })}</p>
${sections}
<form method="post" action="/console/cases/${open.id}/done" class="panel">
  <input type="hidden" name="_csrf" value="${csrfToken(me.session.key)}">
  <button type="submit">${t('finishCase')}</button> <a href="/console">${t('backToScan')}</a>
</form>`;
    return send(request, reply, { title, path: `/console/cases/${open.id}`, body, signed: me });
  });

  app.get('/cases/:id/datasets/:dataset/pdf', { schema: { hide: true, params: pdfParams } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    const pdf = await counters.savePdf(actorOf(me), request.params.id, request.params.dataset);
    if (!pdf) return reply.callNotFound();
    const dataset = request.params.dataset.replace(/[^a-z0-9-]/g, '');
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${dataset}.pdf"`).header('cache-control', 'no-store').send(pdf);
  });

  app.post('/cases/:id/done', { schema: { hide: true, params: caseParams, body: csrfOnly } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body as { _csrf: string });
    const { t } = language(request, reply);
    if (!(await counters.finishCase(actorOf(me), request.params.id))) return scanPage(request, reply, me, { text: t('caseGone'), kind: 'error' }, 404);
    return reply.redirect('/console?notice=done', 303);
  });

  // ---- the clerk's passkeys ----

  async function passkeysPage(request: FastifyRequest, reply: FastifyReply, me: Signed, notice?: { key: ConsoleKey; kind: 'ok' | 'error' }, status = 200) {
    const { lang, t } = language(request, reply);
    const csrf = csrfToken(me.session.key);
    const list = await options.passkeys.list(me.staff.id);
    const items = list.map(
      (p) => html`<li><span lang="en">${staffPasskeyReference(p.credentialId)}</span>・${t('passkeyAdded', { at: when(p.createdAt, lang) })}${
        p.lastUsedAt ? html`・${t('passkeyLastUsed', { at: when(p.lastUsedAt, lang) })}` : ''
      }
<form method="post" action="/console/passkeys/remove" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="credential" value="${p.credentialId}"><button type="submit" class="secondary">${t('passkeyRemove')}</button></form></li>`,
    );
    const register =
      me.session.method === 'password'
        ? html`<form method="post" action="/console/passkeys" class="panel" data-passkey="register" data-options-url="/console/passkeys/options">
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="response" value="">
  <p class="notice error" role="alert" data-passkey-error hidden>${t('passkeyCancelled')}</p>
  <p class="meta" data-passkey-unsupported hidden>${t('passkeyUnsupported')}</p>
  <p><button type="submit">${t('passkeyAdd')}</button></p>
</form>
<script src="/console/assets/passkey.js" defer></script>`
        : html`<p class="meta">${t('passkeyNeedsPassword')}</p>`;
    const body = html`<h1>${t('passkeysTitle')}</h1>
${notice ? html`<p class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${t(notice.key)}</p>` : ''}
<p>${t('passkeysLead')}</p>
${list.length > 0 ? html`<ul class="passkeys">${items}</ul>` : html`<p>${t('passkeysNone')}</p>`}
${register}
<p><a href="/console">${t('backToScan')}</a></p>`;
    return send(request, reply, { title: t('passkeysTitle'), path: '/console/passkeys', body, status, signed: me });
  }

  const PASSKEY_NOTICES: Record<string, { key: ConsoleKey; kind: 'ok' | 'error' }> = {
    registered: { key: 'passkeyRegistered', kind: 'ok' },
    failed: { key: 'passkeyRegisterFailed', kind: 'error' },
    removed: { key: 'passkeyRemoved', kind: 'ok' },
  };

  app.get('/passkeys', { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    const notice = Object.hasOwn(PASSKEY_NOTICES, request.query.notice) ? PASSKEY_NOTICES[request.query.notice] : undefined;
    return passkeysPage(request, reply, me, notice);
  });

  app.post('/passkeys/options', { schema: { hide: true, body: csrfOnly } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    if (!checkCsrf(me.session.key, (request.body as { _csrf: string })._csrf)) return reply.code(403).send({ error: 'form_expired' });
    // A passkey alone may not add passkeys: whoever holds one device must not be able to plant another.
    if (me.session.method !== 'password') return reply.code(403).send({ error: 'password_sign_in_needed' });
    return { options: await options.passkeys.registrationOptions(me.staff.id, me.session.idHash) };
  });

  app.post('/passkeys', { schema: { hide: true, body: passkeyForm } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body);
    if (me.session.method !== 'password') return passkeysPage(request, reply, me, { key: 'passkeyNeedsPassword', kind: 'error' }, 403);
    const ok = await auth.registerPasskey(me.session, me.staff, request.body.response);
    return reply.redirect(`/console/passkeys?notice=${ok ? 'registered' : 'failed'}`, 303);
  });

  app.post('/passkeys/remove', { schema: { hide: true, body: removePasskeyForm } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body);
    const ok = await auth.removePasskey(me.staff, request.body.credential);
    return reply.redirect(`/console/passkeys?notice=${ok ? 'removed' : 'failed'}`, 303);
  });

  // ---- a supervisor's view of the office ----

  async function officePage(request: FastifyRequest, reply: FastifyReply, me: Signed, notice?: string) {
    const { lang, t } = language(request, reply);
    if (me.staff.role !== 'supervisor') return scanPage(request, reply, me, { text: t('supervisorOnly'), kind: 'error' }, 403);
    const staff = await listStaff(options.db, me.staff.officeId);
    const rows = await Promise.all(
      staff.map(async (s) => {
        const locked = s.disabledAt ? undefined : await counters.lockedUntil({ staffId: s.id, consoleId: '-' });
        const state = s.disabledAt ? t('stateDisabled') : locked ? t('stateLocked', { until: clock(locked, lang) }) : t('stateActive');
        return html`<tr><td>${s.id}</td><td>${t(s.role === 'supervisor' ? 'roleSupervisor' : 'roleClerk')}</td><td>${state}</td><td>${
          locked
            ? html`<form method="post" action="/console/office/unlock"><input type="hidden" name="_csrf" value="${csrfToken(me.session.key)}"><input type="hidden" name="staff" value="${s.id}"><button type="submit">${t('unlock')}</button></form>`
            : ''
        }</td></tr>`;
      }),
    );
    const body = html`<h1>${t('officeTitle')}</h1>
${notice ? html`<p class="notice ok" role="status">${notice}</p>` : ''}
<table><thead><tr><th scope="col">${t('officeStaff')}</th><th scope="col">${t('officeRole')}</th><th scope="col">${t('officeState')}</th><th scope="col"><span class="visually-hidden">${t('unlock')}</span></th></tr></thead><tbody>${rows}</tbody></table>
<p><a href="/console">${t('backToScan')}</a></p>`;
    return send(request, reply, { title: t('officeTitle'), path: '/console/office', body, signed: me });
  }

  app.get('/office', { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    return officePage(request, reply, me);
  });

  app.post('/office/unlock', { schema: { hide: true, body: unlockForm } }, async (request, reply) => {
    const me = await signed(request, reply);
    if (!me) return reply;
    requireStaffCsrf(me.session, request.body);
    const { t } = language(request, reply);
    if (me.staff.role !== 'supervisor') return officePage(request, reply, me);
    const clerk = (await listStaff(options.db, me.staff.officeId)).find((s) => s.id === request.body.staff);
    if (clerk) await counters.liftLock({ staffId: me.staff.id }, { staffId: clerk.id, consoleIds: await options.sessions.consolesOf(clerk.id) });
    return officePage(request, reply, me, clerk ? t('unlocked') : undefined);
  });
};
