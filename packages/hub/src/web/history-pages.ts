// The person's own usage history from the ledger (page, JSON with proofs, CSV) and their unused
// consents, which they may withdraw. The page shows names in its language, never codes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { PasskeyMethod } from '../identity/passkey/index.ts';
import type { Session } from '../identity/session/session-store.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { RetrievalService } from '../retrieval/retrieval-service.ts';
import { html } from './html.ts';
import { describeEntry, type RecipientNames } from './history-names.ts';
import { passkeySection } from './passkey-pages.ts';
import { csrfField, requireCsrf } from './portal-session.ts';
import { csrfForm, pageQuery, text } from './schemas.ts';

export interface HistoryDeps {
  ledger: Pick<Ledger, 'historyFor'>;
  retrievals: RetrievalService;
  catalogue: CatalogueService;
  recipients: RecipientNames;
  passkey: PasskeyMethod | undefined;
}

type Notice = 'revoked' | 'revokeFailed' | 'passkeyRegistered' | 'passkeyDeleted' | 'passkeyFailed';

export function historyPages(parent: FastifyInstance, deps: HistoryDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  async function signedIn(request: FastifyRequest): Promise<{ session: Session; subjectKey: string } | undefined> {
    const session = await request.session();
    if (!session?.state.authenticated || !session.state.nationalId) return undefined;
    return { session, subjectKey: deps.retrievals.subjectKeyOf(session.state.nationalId) };
  }

  app.get('/history', { schema: { hide: true, querystring: pageQuery.extend({ passkey: text(16) }) } }, async (request, reply) => {
    const flag = request.query.passkey;
    const notice = flag === 'registered' ? 'passkeyRegistered' : flag === 'deleted' ? 'passkeyDeleted' : flag === 'failed' ? 'passkeyFailed' : undefined;
    return history(request, reply, notice);
  });

  async function history(request: FastifyRequest, reply: FastifyReply, notice?: Notice) {
    const { lang, t } = request;
    const me = await signedIn(request);
    if (!me) return reply.redirect(`/login?${new URLSearchParams({ next: '/history' })}`, 303);
    const [entries, consents, snapshot] = await Promise.all([
      deps.ledger.historyFor(me.subjectKey),
      deps.retrievals.unusedConsents(me.subjectKey),
      deps.catalogue.snapshot(),
    ]);
    const names = { snapshot, recipients: deps.recipients };
    const datasetName = (id: string) => snapshot.byDataset.get(id)?.dataset.name[lang] ?? id;
    const rows = [...entries].reverse().map((h) => {
      const d = describeEntry(h.entry, lang, t, names);
      return html`<tr><td>${new Date(h.entry.time).toLocaleString(lang, { timeZone: 'Asia/Taipei' })}</td><td>${d.action}</td><td>${d.datasets}</td><td>${d.recipient}</td><td>${d.outcome}</td></tr>`;
    });
    const consentItems = consents.map(
      (c) => html`<li class="card">${c.datasets.map(datasetName).join('、')} · ${c.purpose}
<form method="post" action="/consents/${c.id}/revoke" class="inline"><input type="hidden" name="_csrf" value="${csrfField(me.session)}"><button type="submit">${t('revoke')}</button></form></li>`,
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
${deps.passkey ? passkeySection(t, me.session, await deps.passkey.listPasskeys(me.subjectKey), lang) : ''}`;
    return reply.page({ title: t('historyTitle'), path: '/history', body, session: me.session });
  }

  app.post('/consents/:id/revoke', { schema: { hide: true, params: z.object({ id: z.string().max(64) }), body: csrfForm } }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    const me = await signedIn(request);
    if (!me) return reply.redirect('/login?next=/history', 303);
    const ok = /^[0-9a-f-]{36}$/.test(request.params.id) && (await deps.retrievals.revoke(request.params.id, me.subjectKey));
    return history(request, reply, ok ? 'revoked' : 'revokeFailed');
  });
}
