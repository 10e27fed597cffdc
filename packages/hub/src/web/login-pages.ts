// Login: choose a method, verify, and come back to what you were doing. A first use needs two
// different methods; data that needs a stronger level asks for step-up.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IdentityMethods } from '../identity/identity-config.ts';
import { levelSuffices } from '../identity/login-rules.ts';
import type { LoginService } from '../identity/login-service.ts';
import type { OidcLoginState } from '../identity/oidc/index.ts';
import { OIDC_ERRORS } from '../identity/oidc/index.ts';
import { PASSKEY_ERRORS } from '../identity/passkey/index.ts';
import type { Session } from '../identity/session/session-store.ts';
import { IdentityError, type VerifiedIdentity } from '../identity/types.ts';
import { X509_ERRORS } from '../identity/x509/index.ts';
import { type Html, html } from './html.ts';
import type { Lang, Translate } from './i18n.ts';
import { csrfField, endSession, ensureSession, PASSKEY_HINT_COOKIE, type PortalSessions, readCookie, requireCsrf, rotateSession } from './portal-session.ts';
import { forgetSession } from './request-context.ts';
import { csrfForm, pageQuery, text } from './schemas.ts';

type MethodId = 'x509' | 'oidc' | 'passkey';

export interface LoginDeps {
  sessions: PortalSessions;
  methods: IdentityMethods;
  login: LoginService;
  publicUrl: string;
}

const pem = z.string().max(16 * 1024);
/** What the certificate login form may carry: bounded strings, a short chain, nothing else matters. */
const x509Form = z.object({
  certificatePem: pem,
  signature: z.string().max(512),
  chainPem: z
    .string()
    .max(64 * 1024)
    .optional()
    .transform((text, ctx) => {
      if (!text) return [];
      try {
        return z.array(pem).max(5).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'chainPem is not a short JSON list of PEM strings' });
        return z.NEVER;
      }
    }),
});

/** Where to go after login and the level needed there, carried by every login step. */
const loginQuery = pageQuery.extend({ next: text(2000), level: text(2) });
const loginForm = csrfForm.extend({ next: text(2000), level: text(2) });

/** Only local paths: a login must never send the person to another site. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}

function levelOf(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 4 ? n : 4;
}

function levelText(t: Translate, level: number): string {
  return t(level === 1 ? 'levelName1' : level === 2 ? 'levelName2' : level === 3 ? 'levelName3' : 'levelName4');
}

export function loginPages(parent: FastifyInstance, deps: LoginDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { sessions, login } = deps;
  const limited = (request: FastifyRequest) => login.isLimited(request.ip);
  const countFailure = (request: FastifyRequest) => login.countFailure(request.ip);

  app.get('/login', { schema: { hide: true, querystring: loginQuery } }, async (request, reply) => {
    const { t } = request;
    const query = request.query;
    const next = safeNext(query.next);
    const required = levelOf(query.level);
    const session = await ensureSession(request, reply, sessions);
    if (session.state.authenticated && levelSuffices(session.state, required)) return reply.redirect(next, 303);
    const state = session.state;
    const methodName = { x509: t('loginMethodX509'), oidc: t('loginMethodOidc'), passkey: t('loginMethodPasskey') };
    const done = state.verifications.map((v) => html`<li>${methodName[v.method]} · ${levelText(t, v.level)}</li>`);
    const params = (extra: Record<string, string>) => new URLSearchParams({ next, level: String(required), ...extra }).toString();
    const offered = await acceptableMethods(request, session, required);
    const list = (ids: readonly MethodId[]) => ids.map((id) => methodName[id]).join(request.lang === 'en' ? ' or ' : '、');
    const notice = !state.nationalId
      ? ''
      : !state.authenticated
        ? html`<p class="card" role="status">${t('loginFirstUse')}</p>`
        : html`<p class="card" role="status">${t('loginStepUp', { methods: list(offered) })}</p>`;
    const methods: Html[] = [];
    if (deps.methods.x509 && offered.includes('x509')) {
      methods.push(html`<li class="card"><h2 class="card-title">${t('loginMethodX509')}</h2><p class="meta">${t('loginMethodX509Hint')}</p>
<a class="button" href="/login/x509?${params({})}">${t('loginWith_x509')}</a></li>`);
    }
    if (deps.methods.oidc && offered.includes('oidc')) {
      methods.push(html`<li class="card"><h2 class="card-title">${t('loginMethodOidc')}</h2><p class="meta">${t('loginMethodOidcHint')}</p>
<a class="button" href="/login/oidc/start?${params({})}">${t('loginWith_oidc')}</a></li>`);
    }
    if (deps.methods.passkey && offered.includes('passkey')) {
      methods.push(html`<li class="card"><h2 class="card-title">${t('loginMethodPasskey')}</h2><p class="meta">${t('loginMethodPasskeyHint')}</p>
<form method="post" action="/login/passkey" data-passkey="login" data-options-url="/login/passkey/options">
  <input type="hidden" name="_csrf" value="${csrfField(session)}"><input type="hidden" name="next" value="${next}"><input type="hidden" name="level" value="${String(required)}"><input type="hidden" name="response" value="">
  <p data-passkey-error hidden role="alert">${t('passkeyFailed')}</p><p data-passkey-unsupported hidden>${t('passkeyUnsupported')}</p>
  <noscript><p>${t('passkeyNeedsScript')}</p></noscript>
  <button type="submit">${t('loginWith_passkey')}</button>
</form></li>`);
    }
    const body = html`<h1>${t('loginTitle')}</h1>
<p class="lead">${query.level && offered.length > 0 ? t('loginLead', { methods: list(offered) }) : t('loginLeadNoData')}</p>
${notice}
${done.length > 0 ? html`<h2>${t('loginVerifiedWith')}</h2><ul>${done}</ul>` : ''}
${methods.length > 0 ? html`<ul class="cards">${methods}</ul>` : html`<p>${t('loginNoMethods')}</p>`}
<p class="meta">${t('sessionWarning')}</p>
${deps.methods.passkey ? html`<script src="/assets/passkey.js" defer></script>` : ''}`;
    return reply.page({ title: t('loginTitle'), path: '/login', query: { next, level: String(required) }, body, session: undefined });
  });

  /**
   * The methods worth offering now: not one the session already used; once the session's best level
   * is not enough, only methods strong enough; a passkey only for a person who has one (known
   * person) or a browser that bound one (its hint cookie).
   */
  async function acceptableMethods(request: FastifyRequest, session: Session, required: number): Promise<MethodId[]> {
    const state = session.state;
    const used = new Set(state.verifications.map((v) => v.method));
    const levels: Record<MethodId, number | undefined> = {
      x509: deps.methods.x509 ? 1 : undefined,
      oidc: deps.methods.oidc?.bestLevel,
      passkey: deps.methods.passkey ? 2 : undefined,
    };
    // A first use needs a second, different method of any level if the first was strong enough.
    const strongEnough = levelSuffices(state, required);
    let hasPasskey = readCookie(request, PASSKEY_HINT_COOKIE) === '1';
    if (state.nationalId && deps.methods.passkey) hasPasskey = (await deps.methods.passkey.listPasskeys(login.subjectKey(state.nationalId))).length > 0;
    return (['x509', 'oidc', 'passkey'] as const).filter((id) => {
      const level = levels[id];
      if (level === undefined || used.has(id)) return false;
      if (!strongEnough && level > required) return false;
      return id !== 'passkey' || hasPasskey;
    });
  }

  app.get('/login/x509', { schema: { hide: true, querystring: loginQuery } }, async (request, reply) => {
    const { t } = request;
    const x509 = deps.methods.x509;
    if (!x509) return reply.redirect('/login', 303);
    const query = request.query;
    const next = safeNext(query.next);
    const level = levelOf(query.level);
    const session = await ensureSession(request, reply, sessions);
    const challenge = x509.verifier.issueChallenge();
    session.state.pending.x509 = { nonce: challenge.nonce, expiresAt: challenge.expiresAt.toISOString() };
    await sessions.store.save(session);
    const body = html`<h1>${t('x509Title')}</h1>
<p class="lead">${t('x509Lead')}</p>
<noscript><p class="card">${t('x509NeedsScript')}</p></noscript>
<form id="x509" method="post" action="/login/x509" class="card" data-signer="${x509.signerUrl}" data-nonce="${challenge.nonce}">
  <input type="hidden" name="_csrf" value="${csrfField(session)}">
  <input type="hidden" name="next" value="${next}">
  <input type="hidden" name="level" value="${String(level)}">
  <input type="hidden" name="certificatePem" value="">
  <input type="hidden" name="chainPem" value="">
  <input type="hidden" name="signature" value="">
  <fieldset><legend>${t('x509ChooseCard')}</legend><div id="cards" aria-live="polite" data-label="${t('x509CardLabel', { number: '{number}', holder: '{holder}', validTo: '{validTo}' })}" data-empty="${t('x509NoCard')}"></div></fieldset>
  <p id="x509-error" role="alert" hidden>${t('x509SignerDown')}</p>
  <p><button type="submit" id="x509-sign" disabled>${t('x509Sign')}</button></p>
</form>
`;
    return reply.page({ title: t('x509Title'), path: '/login/x509', query: { next, level: String(level) }, body, session: undefined });
  });

  app.post('/login/x509', { schema: { hide: true, body: loginForm } }, async (request, reply) => {
    const x509 = deps.methods.x509;
    if (!x509) return reply.redirect('/login', 303);
    const session = await request.session();
    requireCsrf(session, request.body);
    const body = request.body;
    const next = safeNext(body.next);
    const level = levelOf(body.level);
    if (await limited(request)) return failure(request, reply, 'tooManyAttempts', next, level, 429);
    const pending = session.state.pending.x509 as { nonce: string; expiresAt: string } | undefined;
    // The challenge is used up by this attempt whatever its outcome.
    delete session.state.pending.x509;
    await sessions.store.save(session);
    if (!pending) return failure(request, reply, X509_ERRORS.challenge_expired, next, level);
    try {
      const posted = x509Form.safeParse(body);
      if (!posted.success) throw new IdentityError('certificate_invalid', 'the posted certificate fields are malformed');
      const identity = await x509.verifier.verify({
        nonce: pending.nonce,
        expiresAt: new Date(pending.expiresAt),
        certificatePem: posted.data.certificatePem,
        chainPem: posted.data.chainPem,
        signature: posted.data.signature,
      });
      return await verified(request, reply, session, identity, next, level);
    } catch (error) {
      if (error instanceof IdentityError) {
        await countFailure(request);
        request.log.info({ code: error.code }, 'x509 login refused');
        const known = (X509_ERRORS as Record<string, { en: string; 'zh-TW': string }>)[error.code];
        return failure(request, reply, known ?? X509_ERRORS.certificate_invalid, next, level);
      }
      throw error;
    }
  });

  app.get('/login/oidc/start', { schema: { hide: true, querystring: loginQuery } }, async (request, reply) => {
    const oidc = deps.methods.oidc;
    if (!oidc) return reply.redirect('/login', 303);
    const query = request.query;
    const session = await ensureSession(request, reply, sessions);
    const started = await oidc.start();
    session.state.pending.oidc = { state: started.state, next: safeNext(query.next), level: levelOf(query.level) };
    await sessions.store.save(session);
    return reply.redirect(started.url, 303);
  });

  // The identity provider's answer: its parameters are read by openid-client from the whole URL.
  app.get('/login/oidc/callback', { schema: { hide: true, querystring: z.record(z.string(), z.unknown()) } }, async (request, reply) => {
    const oidc = deps.methods.oidc;
    if (!oidc) return reply.redirect('/login', 303);
    const session = await request.session();
    const pending = session?.state.pending.oidc as { state: OidcLoginState; next: string; level: number } | undefined;
    if (!session || !pending) return failure(request, reply, OIDC_ERRORS.state_mismatch, '/', 4, 400);
    delete session.state.pending.oidc;
    await sessions.store.save(session);
    if (await limited(request)) return failure(request, reply, 'tooManyAttempts', pending.next, pending.level, 429);
    try {
      const identity = await oidc.finish(new URL(request.url, deps.publicUrl), pending.state);
      return await verified(request, reply, session, identity, pending.next, pending.level);
    } catch (error) {
      if (error instanceof IdentityError) {
        await countFailure(request);
        request.log.info({ code: error.code }, 'oidc login refused');
        const known = (OIDC_ERRORS as Record<string, { en: string; 'zh-TW': string }>)[error.code];
        return failure(request, reply, known ?? OIDC_ERRORS.idp_error, pending.next, pending.level);
      }
      throw error;
    }
  });

  app.post('/login/passkey/options', { schema: { hide: true, body: csrfForm } }, async (request, reply) => {
    const passkey = deps.methods.passkey;
    if (!passkey) return reply.callNotFound();
    const session = await request.session();
    requireCsrf(session, request.body);
    const { options, challenge } = await passkey.authenticationOptions();
    session.state.pending.passkeyLogin = challenge;
    await sessions.store.save(session);
    return { options };
  });

  app.post('/login/passkey', { schema: { hide: true, body: loginForm.extend({ response: text(64 * 1024) }) } }, async (request, reply) => {
    const passkey = deps.methods.passkey;
    if (!passkey) return reply.redirect('/login', 303);
    const session = await request.session();
    requireCsrf(session, request.body);
    const body = request.body;
    const next = safeNext(body.next);
    const level = levelOf(body.level);
    const challenge = session.state.pending.passkeyLogin;
    delete session.state.pending.passkeyLogin;
    await sessions.store.save(session);
    if (await limited(request)) return failure(request, reply, 'tooManyAttempts', next, level, 429);
    if (!challenge) return failure(request, reply, PASSKEY_ERRORS.challenge_expired, next, level);
    try {
      const identity = await passkey.verifyAuthentication(body.response, challenge);
      return await verified(request, reply, session, identity, next, level);
    } catch (error) {
      if (error instanceof IdentityError) {
        await countFailure(request);
        request.log.info({ code: error.code }, 'passkey login refused');
        const known = (PASSKEY_ERRORS as Record<string, { en: string; 'zh-TW': string }>)[error.code];
        return failure(request, reply, known ?? PASSKEY_ERRORS.passkey_invalid, next, level);
      }
      throw error;
    }
  });

  app.post('/logout', { schema: { hide: true, body: csrfForm } }, async (request, reply) => {
    const { t } = request;
    const session = await request.session();
    requireCsrf(session, request.body);
    await endSession(reply, sessions, session);
    forgetSession(request);
    const body = html`<h1>${t('loggedOutTitle')}</h1><p>${t('loggedOutBody')}</p><p><a href="/">${t('navHome')}</a></p>`;
    return reply.page({ title: t('loggedOutTitle'), path: '/', body, session: undefined });
  });

  async function verified(request: FastifyRequest, reply: FastifyReply, session: Session, identity: VerifiedIdentity, next: string, level: number) {
    const outcome = await login.verified(session.state, identity);
    if (!outcome.ok) return failure(request, reply, 'differentPerson', next, level, 409);
    const rotated = await rotateSession(reply, sessions, session, outcome.subjectKey);
    forgetSession(request);
    request.log.info({ method: identity.method, level: identity.level, complete: outcome.complete }, 'identity verified');
    if (rotated.state.authenticated && levelSuffices(rotated.state, level)) return reply.redirect(next, 303);
    return reply.redirect(`/login?${new URLSearchParams({ next, level: String(level) })}`, 303);
  }

  function failure(
    request: FastifyRequest,
    reply: FastifyReply,
    message: 'tooManyAttempts' | 'differentPerson' | { en: string; 'zh-TW': string },
    next: string,
    level: number,
    status = 401,
  ) {
    const { lang, t } = request;
    const said = typeof message === 'string' ? t(message) : message[lang as Lang];
    const retry = `/login?${new URLSearchParams({ next, level: String(level) })}`;
    const body = html`<h1>${t('loginFailed')}</h1><p role="alert" class="card">${said}</p><p><a class="button" href="${retry}">${t('tryAgain')}</a></p>`;
    return reply.page({ title: t('loginFailed'), path: '/login', body, status, session: undefined });
  }
}
