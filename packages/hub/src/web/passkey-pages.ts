// Binding passkeys to a person: only after a login by certificate or mobile ID (a passkey alone
// cannot add more passkeys), listing them on the history page, and removing them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PasskeyMethod, PasskeySummary } from '../identity/passkey/index.ts';
import type { Session } from '../identity/session/session-store.ts';
import { IdentityError } from '../identity/types.ts';
import { AppError } from '../errors/problem.ts';
import { type Html, html } from './html.ts';
import type { Translate } from './i18n.ts';
import { csrfField, type PortalSessions, requireCsrf, setPasskeyHint } from './portal-session.ts';
import { csrfForm, text } from './schemas.ts';

export interface PasskeyDeps {
  sessions: PortalSessions;
  passkey: PasskeyMethod;
  subjectKeyOf: (nationalId: string) => string;
}

function strongLogin(session: Session): boolean {
  return Boolean(session.state.authenticated && session.state.nationalId && session.state.verifications.some((v) => v.method !== 'passkey' && v.level <= 2));
}

export function passkeyPages(parent: FastifyInstance, deps: PasskeyDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  async function strongSession(request: FastifyRequest): Promise<Session> {
    const session = await request.session();
    requireCsrf(session, request.body);
    if (!strongLogin(session)) throw new AppError('unauthenticated', 'Sign in with a certificate or mobile ID first to bind a passkey.');
    return session;
  }

  app.post('/passkeys/register/options', { schema: { hide: true, body: csrfForm } }, async (request) => {
    const session = await strongSession(request);
    const { options, challenge } = await deps.passkey.registrationOptions(deps.subjectKeyOf(session.state.nationalId as string));
    session.state.pending.passkeyRegister = challenge;
    await deps.sessions.store.save(session);
    return { options };
  });

  app.post('/passkeys/register', { schema: { hide: true, body: csrfForm.extend({ response: text(64 * 1024) }) } }, async (request, reply) => {
    const session = await strongSession(request);
    const challenge = session.state.pending.passkeyRegister;
    delete session.state.pending.passkeyRegister;
    await deps.sessions.store.save(session);
    const nationalId = session.state.nationalId as string;
    try {
      await deps.passkey.verifyRegistration(request.body.response, challenge, { subjectKey: deps.subjectKeyOf(nationalId), nationalId });
      setPasskeyHint(reply, deps.sessions, true);
      return reply.redirect('/history?passkey=registered', 303);
    } catch (error) {
      if (error instanceof IdentityError) {
        request.log.info({ code: error.code }, 'passkey registration refused');
        return reply.redirect('/history?passkey=failed', 303);
      }
      throw error;
    }
  });

  app.post('/passkeys/delete', { schema: { hide: true, body: csrfForm.extend({ credentialId: text(2048) }) } }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    if (!session.state.authenticated || !session.state.nationalId) throw new AppError('unauthenticated');
    const id = request.body.credentialId;
    const subjectKey = deps.subjectKeyOf(session.state.nationalId);
    const ok = id !== '' && id.length <= 1400 && (await deps.passkey.deletePasskey(subjectKey, id));
    if (ok && (await deps.passkey.listPasskeys(subjectKey)).length === 0) setPasskeyHint(reply, deps.sessions, false);
    return reply.redirect(`/history?passkey=${ok ? 'deleted' : 'failed'}`, 303);
  });
}

/** The passkey section of the history page. */
export function passkeySection(t: Translate, session: Session, passkeys: readonly PasskeySummary[], lang: string): Html {
  const csrf = csrfField(session);
  const list =
    passkeys.length === 0
      ? html`<p>${t('passkeysNone')}</p>`
      : html`<ul>${passkeys.map(
          (p) => html`<li>${p.reference} · ${p.createdAt.toLocaleString(lang, { timeZone: 'Asia/Taipei' })}
<form method="post" action="/passkeys/delete" class="inline"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="credentialId" value="${p.credentialId}"><button type="submit">${t('passkeyDelete')}</button></form></li>`,
        )}</ul>`;
  const register = strongLogin(session)
    ? html`<form method="post" action="/passkeys/register" data-passkey="register" data-options-url="/passkeys/register/options">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="response" value="">
<p data-passkey-error hidden role="alert">${t('passkeyFailed')}</p><p data-passkey-unsupported hidden>${t('passkeyUnsupported')}</p>
<button type="submit">${t('passkeyRegister')}</button></form><script src="/assets/passkey.js" defer></script>`
    : html`<p class="meta">${t('passkeyNeedsStrongLogin')}</p>`;
  return html`<h2>${t('passkeysTitle')}</h2><p>${t('passkeysLead')}</p>${list}${register}`;
}
