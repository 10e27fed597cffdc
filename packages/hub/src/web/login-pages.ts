// Login: choose a method, verify, and come back to what you were doing. A first use needs two
// different methods; data that needs a stronger level asks for step-up.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { IdentityMethods } from '../identity/identity-config.ts';
import { levelSuffices, recordVerification } from '../identity/login-rules.ts';
import type { OidcLoginState } from '../identity/oidc/index.ts';
import { OIDC_ERRORS } from '../identity/oidc/index.ts';
import { isLimited, takeAttempt } from '../identity/session/rate-limit.ts';
import type { Session } from '../identity/session/session-store.ts';
import { IdentityError, type VerifiedIdentity } from '../identity/types.ts';
import { X509_ERRORS } from '../identity/x509/index.ts';
import { PASSKEY_ERRORS } from '../identity/passkey/index.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Db } from '../store/database.ts';
import { portalContext, sendPage } from './context.ts';
import { type Html, html } from './html.ts';
import type { Lang, Translate } from './i18n.ts';
import { page } from './layout.ts';
import { csrfField, currentSession, endSession, ensureSession, type PortalSessions, requireCsrf, rotateSession } from './portal-session.ts';

export interface LoginDeps {
  db: Db;
  sessions: PortalSessions;
  methods: IdentityMethods;
  subjectKeyOf: (nationalId: string) => string;
  publicUrl: string;
  ledger: Pick<Ledger, 'append'>;
  /** Keyed pseudonym of a client address, so the rate-limit table holds no reversible IPs. */
  clientPseudonym: (ip: string) => string;
}

// Only failed sign-ins count, so people sharing one address (a NAT, a proxy) do not lock each other out.
const LOGIN_LIMIT = { max: 20, windowMs: 15 * 60 * 1000 };

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

export function loginPages(app: FastifyInstance, deps: LoginDeps): void {
  const { sessions } = deps;
  const clientKey = (request: FastifyRequest) => `login:${deps.clientPseudonym(request.ip)}`;
  const limited = (request: FastifyRequest) => isLimited(deps.db, clientKey(request), LOGIN_LIMIT);
  const countFailure = (request: FastifyRequest) => takeAttempt(deps.db, clientKey(request), LOGIN_LIMIT);

  app.get('/login', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const query = request.query as Record<string, unknown>;
    const next = safeNext(query.next);
    const required = levelOf(query.level);
    const session = await ensureSession(request, reply, sessions);
    if (session.state.authenticated && levelSuffices(session.state, required)) return reply.redirect(next, 303);
    const state = session.state;
    const notice = !state.nationalId
      ? ''
      : !state.authenticated
        ? html`<p class="card" role="status">${t('loginFirstUse')}</p>`
        : html`<p class="card" role="status">${t('loginStepUp', { level: levelText(t, required) })}</p>`;
    const methodName = { x509: t('loginMethodX509'), oidc: t('loginMethodOidc'), passkey: t('loginMethodPasskey') };
    const done = state.verifications.map((v) => html`<li>${methodName[v.method]} · ${levelText(t, v.level)}</li>`);
    const params = (extra: Record<string, string>) => new URLSearchParams({ next, level: String(required), ...extra }).toString();
    const methods: Html[] = [];
    if (deps.methods.x509) {
      methods.push(html`<li class="card"><h2 style="font-size:1.15rem;margin:0">${t('loginMethodX509')}</h2><p class="meta">${levelText(t, 1)} · ${t('loginMethodX509Hint')}</p>
<a class="button" href="/login/x509?${params({})}">${t('loginContinue')}</a></li>`);
    }
    if (deps.methods.oidc) {
      methods.push(html`<li class="card"><h2 style="font-size:1.15rem;margin:0">${t('loginMethodOidc')}</h2><p class="meta">${levelText(t, deps.methods.oidc.bestLevel)} · ${t('loginMethodOidcHint')}</p>
<a class="button" href="/login/oidc/start?${params({})}">${t('loginContinue')}</a></li>`);
    }
    if (deps.methods.passkey) {
      methods.push(html`<li class="card"><h2 style="font-size:1.15rem;margin:0">${t('loginMethodPasskey')}</h2><p class="meta">${levelText(t, 2)} · ${t('loginMethodPasskeyHint')}</p>
<form method="post" action="/login/passkey" data-passkey="login" data-options-url="/login/passkey/options">
  <input type="hidden" name="_csrf" value="${csrfField(session)}"><input type="hidden" name="next" value="${next}"><input type="hidden" name="level" value="${String(required)}"><input type="hidden" name="response" value="">
  <p data-passkey-error hidden role="alert">${t('passkeyFailed')}</p><p data-passkey-unsupported hidden>${t('passkeyUnsupported')}</p>
  <noscript><p>${t('passkeyNeedsScript')}</p></noscript>
  <button type="submit">${t('loginContinue')}</button>
</form></li>`);
    }
    const body = html`<h1>${t('loginTitle')}</h1>
<p class="lead">${query.level ? t('loginLead', { level: levelText(t, required) }) : t('loginLeadNoData')}</p>
${notice}
${done.length > 0 ? html`<h2>${t('loginVerifiedWith')}</h2><ul>${done}</ul>` : ''}
${methods.length > 0 ? html`<ul class="cards">${methods}</ul>` : html`<p>${t('loginNoMethods')}</p>`}
<p class="meta">${t('sessionWarning')}</p>
${deps.methods.passkey ? html`<script src="/assets/passkey.js" defer></script>` : ''}`;
    return sendPage(reply, page({ lang, t, title: t('loginTitle'), path: '/login', query: { next, level: String(required) }, body }));
  });

  app.get('/login/x509', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const x509 = deps.methods.x509;
    if (!x509) return reply.redirect('/login', 303);
    const query = request.query as Record<string, unknown>;
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
  <fieldset><legend>${t('x509ChooseCard')}</legend><div id="cards" aria-live="polite"></div></fieldset>
  <p id="x509-error" role="alert" hidden>${t('x509SignerDown')}</p>
  <p><button type="submit" id="x509-sign" disabled>${t('x509Sign')}</button></p>
</form>
`;
    return sendPage(reply, page({ lang, t, title: t('x509Title'), path: '/login/x509', query: { next, level: String(level) }, body }));
  });

  app.post('/login/x509', async (request, reply) => {
    const x509 = deps.methods.x509;
    if (!x509) return reply.redirect('/login', 303);
    const session = await currentSession(request, sessions);
    requireCsrf(session, request.body);
    const body = request.body as Record<string, unknown>;
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

  app.get('/login/oidc/start', async (request, reply) => {
    const oidc = deps.methods.oidc;
    if (!oidc) return reply.redirect('/login', 303);
    const query = request.query as Record<string, unknown>;
    const session = await ensureSession(request, reply, sessions);
    const started = await oidc.start();
    session.state.pending.oidc = { state: started.state, next: safeNext(query.next), level: levelOf(query.level) };
    await sessions.store.save(session);
    return reply.redirect(started.url, 303);
  });

  app.get('/login/oidc/callback', async (request, reply) => {
    const oidc = deps.methods.oidc;
    if (!oidc) return reply.redirect('/login', 303);
    const session = await currentSession(request, sessions);
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

  app.post('/login/passkey/options', async (request, reply) => {
    const passkey = deps.methods.passkey;
    if (!passkey) return reply.callNotFound();
    const session = await currentSession(request, sessions);
    requireCsrf(session, request.body);
    const { options, challenge } = await passkey.authenticationOptions();
    session.state.pending.passkeyLogin = challenge;
    await sessions.store.save(session);
    return { options };
  });

  app.post('/login/passkey', async (request, reply) => {
    const passkey = deps.methods.passkey;
    if (!passkey) return reply.redirect('/login', 303);
    const session = await currentSession(request, sessions);
    requireCsrf(session, request.body);
    const body = request.body as Record<string, unknown>;
    const next = safeNext(body.next);
    const level = levelOf(body.level);
    const challenge = session.state.pending.passkeyLogin;
    delete session.state.pending.passkeyLogin;
    await sessions.store.save(session);
    if (await limited(request)) return failure(request, reply, 'tooManyAttempts', next, level, 429);
    if (!challenge) return failure(request, reply, PASSKEY_ERRORS.challenge_expired, next, level);
    try {
      const identity = await passkey.verifyAuthentication(typeof body.response === 'string' ? body.response : '', challenge);
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

  app.post('/logout', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const session = await currentSession(request, sessions);
    requireCsrf(session, request.body);
    await endSession(reply, sessions, session);
    const body = html`<h1>${t('loggedOutTitle')}</h1><p>${t('loggedOutBody')}</p><p><a href="/">${t('navHome')}</a></p>`;
    return sendPage(reply, page({ lang, t, title: t('loggedOutTitle'), path: '/', body }));
  });

  async function verified(request: FastifyRequest, reply: FastifyReply, session: Session, identity: VerifiedIdentity, next: string, level: number) {
    const subjectKey = deps.subjectKeyOf(identity.nationalId);
    const outcome = await recordVerification(deps.db, session.state, identity, subjectKey);
    if (!outcome.ok) return failure(request, reply, 'differentPerson', next, level, 409);
    session.state.authenticated = outcome.complete;
    const rotated = await rotateSession(reply, sessions, session, subjectKey);
    await deps.ledger.append([
      {
        action: 'identity_verified',
        actor: { kind: 'citizen', id: subjectKey },
        subject: subjectKey,
        recipient: identity.method,
        outcome: `level_${identity.level}`,
      },
    ]);
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
    const { lang, t } = portalContext(request, reply);
    const text = typeof message === 'string' ? t(message) : message[lang as Lang];
    const retry = `/login?${new URLSearchParams({ next, level: String(level) })}`;
    const body = html`<h1>${t('loginFailed')}</h1><p role="alert" class="card">${text}</p><p><a class="button" href="${retry}">${t('tryAgain')}</a></p>`;
    return sendPage(reply, page({ lang, t, title: t('loginFailed'), path: '/login', body }), status);
  }
}
