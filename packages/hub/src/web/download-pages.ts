// Mode 1 in the portal: choose data sets -> verify -> consent with a package password -> live
// progress -> preview -> one-time download of the encrypted package. The routes only speak HTTP:
// consent, retrieval and delivery are the retrieval core's and the download delivery's.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FAILURE_MESSAGES, type FailureReason } from '../broker/outcome.ts';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { Agency, Dataset } from '../catalog/repository.ts';
import { createDownloadDelivery, type DownloadDeliveryDeps } from '../delivery/download/download-delivery.ts';
import type { DownloadService } from '../delivery/download/download-service.ts';
import { DownloadError } from '../delivery/download/errors.ts';
import { checkDownloadPassword } from '../delivery/download/password.ts';
import { AppError } from '../errors/problem.ts';
import { levelSuffices, requiredLevel } from '../identity/login-rules.ts';
import type { Session } from '../identity/session/session-store.ts';
import { isValidEmail } from '../notify/index.ts';
import { ConsentUnavailableError, RetrievalClosedError, type RetrievalService } from '../retrieval/retrieval-service.ts';
import { type Html, html, raw } from './html.ts';
import type { Lang, MessageKey } from './i18n.ts';
import { datasetTable, recordsView, signedInAs, DATASET_STATE_KEYS } from './page-parts.ts';
import { csrfField, type PortalSessions, rememberRetrievalKey, requireCsrf, retrievalKeys } from './portal-session.ts';
import { csrfForm, datasetIds, pageQuery, text } from './schemas.ts';

export interface DownloadDeps {
  sessions: PortalSessions;
  catalogue: CatalogueService;
  retrievals: RetrievalService;
  downloads: DownloadService;
  delivery: Omit<DownloadDeliveryDeps, 'catalogue'>;
  ttlHours: number;
}

/** A consent waits this long for the person's retrieval to start. */
const CONSENT_VALID_MS = 10 * 60 * 1000;

const selectionQuery = pageQuery.extend({ datasets: datasetIds });
const consentForm = csrfForm.extend({
  datasets: datasetIds,
  password: text(1024),
  password2: text(1024),
  email: text(320),
});
const retrievalParams = z.object({ id: z.string().max(64) });

export function downloadPages(parent: FastifyInstance, deps: DownloadDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { catalogue, retrievals, downloads } = deps;

  /** The signed-in person's session, or a redirect to login for the level these data sets need. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, level: number, next: string): Promise<Session | undefined> {
    const session = await request.session();
    if (session?.state.authenticated && session.state.nationalId && levelSuffices(session.state, level)) return session;
    await reply.redirect(`/login?${new URLSearchParams({ next, level: String(level) })}`, 303);
    return undefined;
  }

  const selection = (datasets: readonly Dataset[]) => new URLSearchParams(datasets.map((d): [string, string] => ['datasets', d.id]));

  app.get('/download', { schema: { hide: true, querystring: selectionQuery } }, async (request, reply) => {
    const { t } = request;
    const datasets = (await catalogue.pick(request.query.datasets)).map((p) => p.dataset);
    if (datasets.length === 0) {
      const body = html`<h1>${t('downloadSelected')}</h1><p role="alert" class="card">${t('chooseAtLeastOne')}</p><p><a href="/catalogue">${t('backToCatalogue')}</a></p>`;
      return reply.page({ title: t('downloadSelected'), path: '/download', body, status: 400 });
    }
    const next = `/download/consent?${selection(datasets)}`;
    const session = await signedIn(request, reply, requiredLevel(datasets.map((d) => d.minAssuranceLevel)), next);
    if (session) return reply.redirect(next, 303);
    return reply;
  });

  app.get('/download/consent', { schema: { hide: true, querystring: selectionQuery } }, async (request, reply) =>
    consentPage(request, reply, request.query.datasets),
  );

  async function consentPage(request: FastifyRequest, reply: FastifyReply, ids: readonly string[], error?: MessageKey) {
    const { lang, t } = request;
    const picked = await catalogue.pick(ids);
    if (picked.length === 0) return reply.redirect('/catalogue', 303);
    const datasets = picked.map((p) => p.dataset);
    const query = selection(datasets);
    const session = await signedIn(request, reply, requiredLevel(datasets.map((d) => d.minAssuranceLevel)), `/download/consent?${query}`);
    if (!session) return reply;
    // novalidate: the page, not the browser, says what is wrong, in the page's language, with or without JavaScript.
    const body = html`<h1>${t('consentTitle')}</h1>
${signedInAs(t, session)}
<p class="lead">${t('consentLead')}</p>
${error ? html`<p role="alert" class="card" id="form-error">${t(error)}</p>` : ''}
<form method="post" action="/download/consent" class="card" novalidate>
  <input type="hidden" name="_csrf" value="${csrfField(session)}">
  ${datasets.map((d) => html`<input type="hidden" name="datasets" value="${d.id}">`)}
  <h2>${t('consentWhat')}</h2>
  ${datasetTable(t, lang, picked)}
  <dl>
    <dt>${t('consentForWhom')}</dt><dd>${t('consentForWhomSelf')}</dd>
    <dt>${t('consentWhy')}</dt><dd>${t('consentWhySelf')}</dd>
    <dt>${t('consentKeep')}</dt><dd>${t('consentKeepText', { hours: deps.ttlHours })}</dd>
  </dl>
  <p>${t('consentOneUse')}</p>
  <p><label for="password">${t('passwordLabel')}</label><br>
  <input id="password" name="password" type="password" minlength="10" maxlength="256" required autocomplete="new-password" aria-describedby="password-help password-strength"${error ? raw(' aria-invalid="true"') : ''}></p>
  <p id="password-help" class="meta">${t('passwordHelp')}</p>
  <p id="password-strength" class="meta" aria-live="polite" data-label="${t('passwordStrength')}"></p>
  <p><label for="password2">${t('passwordConfirmLabel')}</label><br>
  <input id="password2" name="password2" type="password" minlength="10" maxlength="256" required autocomplete="new-password"></p>
  <p><label for="email">${t('emailLabel')}</label><br>
  <input id="email" name="email" type="email" maxlength="254" autocomplete="email" aria-describedby="email-help"></p>
  <p id="email-help" class="meta">${t('emailHelp')}</p>
  <p class="actions"><button type="submit">${t('agree')}</button> <button type="submit" class="secondary" formaction="/download/consent/deny">${t('disagree')}</button></p>
</form>
`;
    return reply.page({ title: t('consentTitle'), path: '/download/consent', query, body, status: error ? 422 : 200, session });
  }

  app.post('/download/consent', { schema: { hide: true, body: consentForm } }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    const form = request.body;
    const picked = await catalogue.pick(form.datasets);
    if (picked.length === 0) return reply.redirect('/catalogue', 303);
    const datasets = picked.map((p) => p.dataset);
    const level = requiredLevel(datasets.map((d) => d.minAssuranceLevel));
    const nationalId = session.state.nationalId;
    if (!session.state.authenticated || !nationalId || !levelSuffices(session.state, level)) {
      return reply.redirect(`/login?${new URLSearchParams({ next: '/catalogue', level: String(level) })}`, 303);
    }
    if (form.password !== form.password2) return consentPage(request, reply, form.datasets, 'passwordMismatch');
    let password: string;
    try {
      // The ZIP is sealed under the normalised form, so it opens wherever the same text is typed.
      password = checkDownloadPassword(form.password);
    } catch (error) {
      if (error instanceof DownloadError)
        return consentPage(request, reply, form.datasets, error.code === 'password_too_short' ? 'passwordTooShort' : 'passwordInvalid');
      throw error;
    }
    const email = form.email.trim();
    if (email !== '' && !isValidEmail(email)) return consentPage(request, reply, form.datasets, 'emailInvalid');
    const consent = await retrievals.grant({
      subjectKey: retrievalsSubject(session),
      datasets,
      recipient: { kind: 'self', id: 'self' },
      purpose: 'Download by the data subject / 當事人下載',
      controller: { 'zh-TW': '當事人本人', en: 'The data subject' },
      validForMs: CONSENT_VALID_MS,
      language: request.lang,
    });
    const retrievalKey = randomBytes(32);
    try {
      const { retrievalId } = await retrievals.retrieve({
        consentId: consent.id,
        nationalId,
        delivery: createDownloadDelivery({ ...deps.delivery, catalogue }, { password, retrievalKey }),
        seal: (id) => (email ? downloads.sealNotice(retrievalKey, id, { to: email, lang: request.lang }) : undefined),
      });
      rememberRetrievalKey(session, retrievalId, retrievalKey);
      await deps.sessions.store.save(session);
      return reply.redirect(`/download/retrievals/${retrievalId}`, 303);
    } catch (error) {
      if (error instanceof ConsentUnavailableError) return consentPage(request, reply, form.datasets, 'consentGone');
      if (error instanceof RetrievalClosedError) throw new AppError('shutting_down', 'The platform is restarting; please send the form again in a moment.');
      throw error;
    }
  });

  // 不同意: nothing is granted or fetched; the refusal is in the person's history.
  app.post('/download/consent/deny', { schema: { hide: true, body: csrfForm.extend({ datasets: datasetIds }) } }, async (request, reply) => {
    const { t } = request;
    const session = await request.session();
    requireCsrf(session, request.body);
    const picked = await catalogue.pick(request.body.datasets);
    if (session.state.authenticated && session.state.nationalId && picked.length > 0) {
      await retrievals.deny({
        subjectKey: retrievalsSubject(session),
        datasets: picked.map((p) => p.dataset.id),
        recipient: { kind: 'self', id: 'self' },
        purpose: 'Download by the data subject / 當事人下載',
      });
    }
    const body = html`<h1>${t('consentDeniedTitle')}</h1><p class="card" role="status">${t('consentDeniedBody')}</p><p><a class="button" href="/catalogue">${t('backToCatalogue')}</a></p>`;
    return reply.page({ title: t('consentDeniedTitle'), path: '/catalogue', body, session });
  });

  function retrievalsSubject(session: Session): string {
    return deps.retrievals.subjectKeyOf(session.state.nationalId as string);
  }

  /** The person's own retrieval, for a session verified as strongly as its data sets ask; else 404. */
  async function own(id: string, request: FastifyRequest, reply: FastifyReply) {
    const session = await request.session();
    const nationalId = session?.state.authenticated ? session.state.nationalId : undefined;
    const status = nationalId && /^[0-9a-f-]{36}$/.test(id) ? await downloads.status(id, retrievalsSubject(session as Session)) : undefined;
    const picked = status ? await catalogue.pick(status.retrieval.datasets.map((d) => d.dataset)) : [];
    if (!session || !status || !levelSuffices(session.state, requiredLevel(picked.map((p) => p.dataset.minAssuranceLevel)))) {
      await reply.callNotFound();
      return undefined;
    }
    return { session, status, picked, key: retrievalKeys(session).get(id) };
  }

  app.get('/download/retrievals/:id', { schema: { hide: true, params: retrievalParams, querystring: pageQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    const { status, key } = mine;
    const { retrieval, download } = status;
    const names = nameMap(mine.picked, lang);
    const finished = retrieval.status !== 'running';
    const rows = retrieval.datasets.map(
      (p) =>
        html`<tr data-dataset="${p.dataset}"><td>${names.get(p.dataset) ?? p.dataset}</td><td class="state">${t(DATASET_STATE_KEYS[p.state])}</td><td class="reason">${
          p.reason && p.reason in FAILURE_MESSAGES ? FAILURE_MESSAGES[p.reason as FailureReason][lang] : ''
        }</td></tr>`,
    );
    const when = (d: Date) => d.toLocaleString(lang, { timeZone: 'Asia/Taipei' });
    const result = !finished
      ? html`<noscript><meta http-equiv="refresh" content="3"></noscript>`
      : download && key
        ? html`<p class="card" role="status">${t('downloadReady', { size: `${Math.ceil(download.size / 1024)} KB`, expires: when(download.expiresAt) })}</p>
<p><a class="button" href="/download/files/${downloads.linkToken(retrieval, key)}" data-download-link data-status="/download/retrievals/${retrieval.id}/status">${t('downloadButton')}</a> <a href="/download/retrievals/${retrieval.id}/preview">${t('previewLink')}</a>${status.receipt ? html` · <a href="/download/retrievals/${retrieval.id}/receipt">${t('receiptLink')}</a>` : ''}</p>`
        : retrieval.deliveredAt
          ? html`<p class="card" role="status">${t('downloadedAt', { at: when(retrieval.deliveredAt) })}</p>${status.receipt ? html`<p><a href="/download/retrievals/${retrieval.id}/receipt">${t('receiptLink')}</a></p>` : ''}`
          : retrieval.status === 'done'
            ? html`<p class="card" role="status">${t('downloadExpired')}</p>`
            : html`<p class="card" role="alert">${t(retrieval.failure === 'nothing_fetched' ? 'nothingFetched' : retrieval.failure === 'interrupted' ? 'retrievalInterrupted' : 'buildFailed')}</p>`;
    // A retry asks consent for what did not arrive alone; what arrived is not consented to again.
    // After an interruption nothing was delivered, so every data set is offered again.
    const again = retrieval.datasets
      .filter((p) => (retrieval.failure === 'interrupted' ? p.state !== 'no_data' : p.state === 'failed' && p.reason !== 'dataset_unknown'))
      .map((p) => p.dataset);
    const retry =
      finished && again.length > 0
        ? html`<p><a class="button" href="/download/consent?${new URLSearchParams(again.map((d): [string, string] => ['datasets', d])).toString()}">${t('retryFailed')}</a></p>`
        : '';
    const labels = JSON.stringify(Object.fromEntries(Object.entries(DATASET_STATE_KEYS).map(([k, v]) => [k, t(v)])));
    const heading = !finished ? t('progressTitle') : retrieval.status === 'failed' ? t('progressFailed') : t('progressDone');
    const body = html`<h1>${heading}</h1>
<p class="lead">${finished ? t('progressLeadDone') : t('progressLead')}</p>
<table id="progress"${finished ? '' : html` data-events="/download/retrievals/${retrieval.id}/events" data-labels="${labels}"`}><thead><tr><th scope="col">${t('datasetColumn')}</th><th scope="col">${t('statusLabel')}</th><th scope="col">${t('reasonLabel')}</th></tr></thead><tbody>${rows}</tbody></table>
${result}
${retry}
`;
    return reply.page({ title: heading, path: `/download/retrievals/${retrieval.id}`, body, session: mine.session });
  });

  // For the page's script: once the download has been taken, the page is drawn again without the button.
  app.get(
    '/download/retrievals/:id/status',
    { schema: { hide: true, params: retrievalParams, response: { 200: z.object({ status: z.string(), delivered: z.boolean() }) } } },
    async (request, reply) => {
      const mine = await own(request.params.id, request, reply);
      if (!mine) return reply;
      return { status: mine.status.retrieval.status, delivered: mine.status.retrieval.deliveredAt !== undefined };
    },
  );

  app.get('/download/retrievals/:id/events', { schema: { hide: true, params: retrievalParams } }, async (request, reply) => {
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    let stop = () => {};
    const end = () => {
      stop();
      res.end();
    };
    stop = retrievals.watch(mine.status.retrieval.id, (snapshot) => {
      const finished = snapshot.status !== 'running';
      res.write(`data: ${JSON.stringify({ finished, progress: snapshot.datasets.map((p) => ({ dataset: p.dataset, state: p.state })) })}\n\n`);
      if (finished) end();
    });
    request.raw.on('close', stop);
  });

  app.get('/download/retrievals/:id/preview', { schema: { hide: true, params: retrievalParams, querystring: pageQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    const { retrieval } = mine.status;
    const datasets = new Map(mine.picked.map((p) => [p.dataset.id, p]));
    const sections: Html[] = [];
    for (const [id, data] of downloads.preview(retrieval, mine.key) ?? []) {
      const found = datasets.get(id);
      if (!found) continue;
      sections.push(html`<section class="card"><h2>${found.dataset.name[lang]}</h2><p class="meta">${found.agency.name[lang]}</p>
${recordsView(t, lang, found.dataset, data.records)}</section>`);
    }
    const body = html`<p><a href="/download/retrievals/${retrieval.id}">${t('backToPackage')}</a></p>
<h1>${t('previewTitle')}</h1>${sections.length > 0 ? sections : html`<p class="card">${t('previewGone')}</p>`}`;
    return reply.page({ title: t('previewTitle'), path: `/download/retrievals/${retrieval.id}/preview`, body, session: mine.session });
  });

  app.get('/download/retrievals/:id/receipt', { schema: { hide: true, params: retrievalParams } }, async (request, reply) => {
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    const { receipt, retrieval } = mine.status;
    if (!receipt) return reply.callNotFound();
    return reply.type('application/jwt').header('content-disposition', `attachment; filename="consent-receipt-${retrieval.consentId}.jwt"`).send(receipt);
  });

  // The link is served to its owner alone, at the level its data sets need; for anyone else it does
  // not exist, and is not spent.
  app.get('/download/files/:token', { schema: { hide: true, params: z.object({ token: z.string().max(200) }) } }, async (request, reply) => {
    const session = await request.session();
    const nationalId = session?.state.authenticated ? session.state.nationalId : undefined;
    if (!session || !nationalId) return reply.callNotFound();
    const subjectKey = retrievalsSubject(session);
    const keys = retrievalKeys(session);
    const taken = await downloads.take(request.params.token, subjectKey, keys, async (retrieval) => {
      const picked = await catalogue.pick(retrieval.datasets.map((d) => d.dataset));
      return levelSuffices(session.state, requiredLevel(picked.map((p) => p.dataset.minAssuranceLevel)));
    });
    if (taken === 'not_found') return reply.callNotFound();
    if ('gone' in taken) {
      const { t, lang } = request;
      const when = taken.deliveredAt
        ? html`<p class="card" role="status">${t('downloadedAt', { at: taken.deliveredAt.toLocaleString(lang, { timeZone: 'Asia/Taipei' }) })}</p>`
        : '';
      const body = html`<h1>${t('linkGoneTitle')}</h1>${when}<p>${t('linkGoneBody')}</p><p><a href="/catalogue">${t('backToCatalogue')}</a></p>`;
      return reply.page({ title: t('linkGoneTitle'), path: '/', body, status: 410, session });
    }
    const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    return reply
      .type('application/zip')
      .header('content-disposition', `attachment; filename="openmydata-${stamp}.zip"`)
      .header('cache-control', 'no-store')
      .send(taken.ciphertext);
  });
}

function nameMap(picked: ReadonlyArray<{ dataset: Dataset; agency: Agency }>, lang: Lang): Map<string, string> {
  return new Map(picked.map((p) => [p.dataset.id, p.dataset.name[lang]]));
}
