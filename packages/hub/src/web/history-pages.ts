// The person's own usage history from the ledger (page, JSON with proofs, CSV) and their unused
// consents, which they may withdraw.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogueCache } from '../catalog/cache.ts';
import { revokeConsent, unusedConsents } from '../consent/consents.ts';
import { AppError } from '../errors/problem.ts';
import { historyToCsv, historyToJson } from '../ledger/history.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Session } from '../identity/session/session-store.ts';
import type { Db } from '../store/database.ts';
import { portalContext, sendPage } from './context.ts';
import { html } from './html.ts';
import { isMessageKey } from './i18n.ts';
import { page } from './layout.ts';
import { passkeySection } from './passkey-pages.ts';
import type { PasskeyMethod } from '../identity/passkey/index.ts';
import { csrfField, currentSession, type PortalSessions, requireCsrf, signedInView } from './portal-session.ts';

export interface HistoryDeps {
  db: Db;
  sessions: PortalSessions;
  ledger: Ledger;
  catalogue: CatalogueCache;
  subjectKeyOf: (nationalId: string) => string;
  methods: { passkey?: PasskeyMethod | undefined };
}

export function historyPages(app: FastifyInstance, deps: HistoryDeps): void {
  async function signedIn(request: FastifyRequest): Promise<{ session: Session; subjectKey: string } | undefined> {
    const session = await currentSession(request, deps.sessions);
    if (!session?.state.authenticated || !session.state.nationalId) return undefined;
    return { session, subjectKey: deps.subjectKeyOf(session.state.nationalId) };
  }

  app.get('/api/v1/me/history', async (request, reply) => {
    const me = await signedIn(request);
    if (!me) throw new AppError('unauthenticated', 'Sign in on the portal first; the history is read with your session.');
    const history = await deps.ledger.historyFor(me.subjectKey);
    const format = (request.query as Record<string, unknown>).format;
    if (format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="openmydata-history.csv"').send(historyToCsv(history));
    }
    reply.type('application/json; charset=utf-8');
    if (format === 'json') reply.header('content-disposition', 'attachment; filename="openmydata-history.json"');
    return reply.send(historyToJson(history));
  });

  app.get('/history', async (request, reply) => {
    const flag = (request.query as Record<string, unknown>).passkey;
    const notice = flag === 'registered' ? 'passkeyRegistered' : flag === 'deleted' ? 'passkeyDeleted' : flag === 'failed' ? 'passkeyFailed' : undefined;
    return history(request, reply, notice);
  });

  async function history(
    request: FastifyRequest,
    reply: FastifyReply,
    notice?: 'revoked' | 'revokeFailed' | 'passkeyRegistered' | 'passkeyDeleted' | 'passkeyFailed',
  ) {
    const { lang, t } = portalContext(request, reply);
    const me = await signedIn(request);
    if (!me) return reply.redirect(`/login?${new URLSearchParams({ next: '/history' })}`, 303);
    const [entries, consents] = await Promise.all([deps.ledger.historyFor(me.subjectKey), unusedConsents(deps.db, me.subjectKey)]);
    const name = async (id: string) => (await deps.catalogue.resolve(id))?.dataset.name[lang] ?? id;
    const rows = await Promise.all(
      [...entries].reverse().map(async (h) => {
        const e = h.entry;
        const action = `action_${e.action}`;
        const datasets = (await Promise.all(e.datasets.map(name))).join('、');
        return html`<tr><td>${new Date(e.time).toLocaleString(lang, { timeZone: 'Asia/Taipei' })}</td><td>${isMessageKey(action) ? t(action) : e.action}</td><td>${datasets}</td><td>${e.recipient ?? ''}</td><td>${e.outcome ?? ''}</td></tr>`;
      }),
    );
    const consentItems = await Promise.all(
      consents.map(
        async (c) => html`<li class="card">${(await Promise.all(c.datasets.map(name))).join('、')} · ${c.purpose}
<form method="post" action="/consents/${c.id}/revoke" style="display:inline"><input type="hidden" name="_csrf" value="${csrfField(me.session)}"><button type="submit">${t('revoke')}</button></form></li>`,
      ),
    );
    const body = html`<h1>${t('historyTitle')}</h1>
<p class="lead">${t('historyLead')}</p>
${notice ? html`<p role="status" class="card">${t(notice)}</p>` : ''}
<p><a href="/api/v1/me/history?format=csv">${t('exportCsv')}</a> · <a href="/api/v1/me/history?format=json">${t('exportJson')}</a></p>
${
  rows.length === 0
    ? html`<p>${t('historyEmpty')}</p>`
    : html`<table><thead><tr><th scope="col">${t('historyTime')}</th><th scope="col">${t('historyAction')}</th><th scope="col">${t('historyData')}</th><th scope="col">${t('historyRecipient')}</th><th scope="col">${t('historyOutcome')}</th></tr></thead><tbody>${rows}</tbody></table>`
}
<h2>${t('unusedConsents')}</h2>
${consentItems.length === 0 ? html`<p>${t('noUnusedConsents')}</p>` : html`<ul class="cards">${consentItems}</ul>`}
${deps.methods.passkey ? passkeySection(t, me.session, await deps.methods.passkey.listPasskeys(me.subjectKey), lang) : ''}`;
    return sendPage(reply, page({ lang, t, title: t('historyTitle'), path: '/history', body, signedIn: signedInView(me.session) }));
  }

  app.post<{ Params: { id: string } }>('/consents/:id/revoke', async (request, reply) => {
    const session = await currentSession(request, deps.sessions);
    requireCsrf(session, request.body);
    const me = await signedIn(request);
    if (!me) return reply.redirect('/login?next=/history', 303);
    const ok = /^[0-9a-f-]{36}$/.test(request.params.id) && (await revokeConsent(deps.db, request.params.id, me.subjectKey));
    if (ok) {
      await deps.ledger.append([
        { action: 'consent_revoked', actor: { kind: 'citizen', id: me.subjectKey }, subject: me.subjectKey, consent: request.params.id },
      ]);
    }
    return history(request, reply, ok ? 'revoked' : 'revokeFailed');
  });
}
