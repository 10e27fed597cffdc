// Mode 1 in the portal: choose data sets -> verify -> consent with a package password -> live
// progress -> preview -> one-time download of the encrypted package.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FAILURE_MESSAGES } from '../broker/outcome.ts';
import type { CatalogueCache } from '../catalog/cache.ts';
import type { Dataset } from '../catalog/repository.ts';
import { grantConsent } from '../consent/consents.ts';
import { checkDownloadPassword } from '../delivery/download/password.ts';
import { DownloadError } from '../delivery/download/errors.ts';
import { ConsentUnavailableError, type DatasetProgress, type DownloadJob, type DownloadJobs } from '../delivery/download/download-jobs.ts';
import { takeDownload } from '../delivery/download/downloads.ts';
import { levelSuffices, requiredLevel } from '../identity/login-rules.ts';
import type { Session } from '../identity/session/session-store.ts';
import type { ConsentReceiptInput } from '../ledger/consent-receipt.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Db } from '../store/database.ts';
import { isValidEmail, type Notifier } from '../notify/index.ts';
import { portalContext, sendPage } from './context.ts';
import { type Html, html, raw } from './html.ts';
import type { Lang, MessageKey } from './i18n.ts';
import { page } from './layout.ts';
import { csrfField, currentSession, type PortalSessions, requireCsrf, signedInView } from './portal-session.ts';

export interface DownloadDeps {
  db: Db;
  sessions: PortalSessions;
  catalogue: CatalogueCache;
  jobs: DownloadJobs;
  subjectKeyOf: (nationalId: string) => string;
  ttlHours: number;
  ledger: Pick<Ledger, 'append'>;
  signReceipt: (input: ConsentReceiptInput) => Promise<{ receiptId: string; jws: string }>;
  notifier: Notifier;
  publicUrl: string;
}

const STATE_KEYS: Record<DatasetProgress['state'], MessageKey> = {
  waiting: 'stateWaiting',
  requesting: 'stateRequesting',
  preparing: 'statePreparing',
  retrying: 'stateRetrying',
  verifying: 'stateVerifying',
  ok: 'stateOk',
  no_data: 'stateNoData',
  failed: 'stateFailed',
};

export function downloadPages(app: FastifyInstance, deps: DownloadDeps): void {
  const { sessions } = deps;

  async function chosen(ids: string[]): Promise<Dataset[]> {
    const found = await Promise.all(ids.map((id) => deps.catalogue.resolve(id)));
    return found.flatMap((f) => (f ? [f.dataset] : []));
  }

  /** The signed-in person's session, or a redirect to login for the level these data sets need. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, level: number, next: string): Promise<Session | undefined> {
    const session = await currentSession(request, sessions);
    if (session?.state.authenticated && session.state.nationalId && levelSuffices(session.state, level)) return session;
    await reply.redirect(`/login?${new URLSearchParams({ next, level: String(level) })}`, 303);
    return undefined;
  }

  app.get('/download', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const raw = (request.query as Record<string, unknown>).datasets;
    const ids = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string' && /^[a-z0-9-]{1,64}$/.test(v)).slice(0, 50);
    const datasets = await chosen([...new Set(ids)]);
    if (datasets.length === 0) {
      const body = html`<h1>${t('downloadSelected')}</h1><p role="alert" class="card">${t('chooseAtLeastOne')}</p><p><a href="/catalogue">${t('backToCatalogue')}</a></p>`;
      return sendPage(reply, page({ lang, t, title: t('downloadSelected'), path: '/download', body }), 400);
    }
    const next = `/download/consent?${new URLSearchParams(datasets.map((d): [string, string] => ['datasets', d.id]))}`;
    const session = await signedIn(request, reply, requiredLevel(datasets.map((d) => d.minAssuranceLevel)), next);
    if (session) return reply.redirect(next, 303);
    return reply;
  });

  app.get('/download/consent', async (request, reply) => consentPage(request, reply));

  async function consentPage(request: FastifyRequest, reply: FastifyReply, error?: MessageKey) {
    const { lang, t } = portalContext(request, reply);
    const source = error ? (request.body as Record<string, unknown>) : (request.query as Record<string, unknown>);
    const rawIds = source.datasets;
    const ids = (Array.isArray(rawIds) ? rawIds : [rawIds]).filter((v): v is string => typeof v === 'string').slice(0, 50);
    const datasets = await chosen([...new Set(ids)]);
    if (datasets.length === 0) return reply.redirect('/catalogue', 303);
    const query = new URLSearchParams(datasets.map((d): [string, string] => ['datasets', d.id]));
    const session = await signedIn(request, reply, requiredLevel(datasets.map((d) => d.minAssuranceLevel)), `/download/consent?${query}`);
    if (!session) return reply;
    const agencies = await Promise.all(datasets.map((d) => deps.catalogue.resolve(d.id)));
    const body = html`<h1>${t('consentTitle')}</h1>
<p class="lead">${t('consentLead')}</p>
${error ? html`<p role="alert" class="card" id="form-error">${t(error)}</p>` : ''}
<form method="post" action="/download/consent" class="card">
  <input type="hidden" name="_csrf" value="${csrfField(session)}">
  ${datasets.map((d) => html`<input type="hidden" name="datasets" value="${d.id}">`)}
  <h2>${t('consentWhat')}</h2>
  <table><thead><tr><th scope="col">${t('fields')}</th><th scope="col">${t('agency')}</th></tr></thead>
  <tbody>${datasets.map((d, i) => html`<tr><td>${d.name[lang]}</td><td>${agencies[i]?.agency.name[lang] ?? d.agencyId}</td></tr>`)}</tbody></table>
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
  <p><button type="submit">${t('agree')}</button></p>
</form>
`;
    return sendPage(
      reply,
      page({ lang, t, title: t('consentTitle'), path: '/download/consent', query, body, signedIn: signedInView(session) }),
      error ? 422 : 200,
    );
  }

  app.post('/download/consent', async (request, reply) => {
    const session = await currentSession(request, sessions);
    requireCsrf(session, request.body);
    const body = request.body as Record<string, unknown>;
    const rawIds = body.datasets;
    const ids = (Array.isArray(rawIds) ? rawIds : [rawIds]).filter((v): v is string => typeof v === 'string').slice(0, 50);
    const datasets = await chosen([...new Set(ids)]);
    if (datasets.length === 0) return reply.redirect('/catalogue', 303);
    const level = requiredLevel(datasets.map((d) => d.minAssuranceLevel));
    if (!session.state.authenticated || !session.state.nationalId || !levelSuffices(session.state, level)) {
      return reply.redirect(`/login?${new URLSearchParams({ next: '/catalogue', level: String(level) })}`, 303);
    }
    const password = typeof body.password === 'string' ? body.password : '';
    if (password !== body.password2) return consentPage(request, reply, 'passwordMismatch');
    let normalized: string;
    try {
      // The ZIP is sealed under the normalised form, so it opens wherever the same text is typed.
      normalized = checkDownloadPassword(password);
    } catch (error) {
      if (error instanceof DownloadError) return consentPage(request, reply, error.code === 'password_too_short' ? 'passwordTooShort' : 'passwordInvalid');
      throw error;
    }
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    if (email !== '' && !isValidEmail(email)) return consentPage(request, reply, 'emailInvalid');
    const subjectKey = deps.subjectKeyOf(session.state.nationalId);
    const consent = await grantConsent(deps.db, {
      subjectKey,
      datasets: datasets.map((d) => d.id),
      recipient: { kind: 'self', id: 'self' },
      purpose: 'download',
      validForMs: 10 * 60 * 1000,
    });
    await deps.ledger.append([
      {
        action: 'consent_granted',
        actor: { kind: 'citizen', id: subjectKey },
        subject: subjectKey,
        datasets: consent.datasets,
        consent: consent.id,
        recipient: 'self',
        purpose: 'download',
      },
    ]);
    const receipt = await deps.signReceipt({
      consentId: consent.id,
      subjectKey,
      controller: { id: 'self', name: { 'zh-TW': '當事人本人', en: 'The data subject' } },
      purposes: ['Download by the data subject / 當事人下載'],
      datasets: datasets.map((d) => ({ id: d.id, category: d.category })),
      consentedAt: consent.createdAt,
      expiresAt: consent.expiresAt,
    });
    try {
      const { lang } = portalContext(request, reply);
      const job = await deps.jobs.start({
        consent,
        nationalId: session.state.nationalId,
        password: normalized,
        purpose: 'Download by the data subject',
        receipt: receipt.jws,
        ...(email ? { notify: { to: email, lang } } : {}),
      });
      return reply.redirect(`/download/jobs/${job.id}`, 303);
    } catch (error) {
      if (error instanceof ConsentUnavailableError) return consentPage(request, reply, 'consentGone');
      throw error;
    }
  });

  async function ownJob(request: FastifyRequest, reply: FastifyReply): Promise<{ job: DownloadJob; session: Session } | undefined> {
    const id = (request.params as { id: string }).id;
    const session = await currentSession(request, sessions);
    const job =
      session?.state.authenticated && session.state.nationalId && /^[0-9a-f-]{36}$/.test(id)
        ? deps.jobs.get(id, deps.subjectKeyOf(session.state.nationalId))
        : undefined;
    // The job's data is only for a session verified as strongly as its data sets ask.
    const levels = job ? (await chosen(job.datasets)).map((d) => d.minAssuranceLevel) : [];
    if (!session || !job || !levelSuffices(session.state, requiredLevel(levels))) {
      await reply.callNotFound();
      return undefined;
    }
    return { job, session };
  }

  app.get('/download/jobs/:id', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const own = await ownJob(request, reply);
    if (!own) return reply;
    const { job } = own;
    const names = new Map((await chosen(job.datasets)).map((d) => [d.id, d.name[lang]]));
    const rows = [...job.progress.values()].map(
      (p) =>
        html`<tr data-dataset="${p.dataset}"><td>${names.get(p.dataset) ?? p.dataset}</td><td class="state">${t(STATE_KEYS[p.state])}</td><td class="reason">${p.reason ? FAILURE_MESSAGES[p.reason][lang] : ''}</td></tr>`,
    );
    const result = !job.finished
      ? html`<noscript><meta http-equiv="refresh" content="3"></noscript>`
      : job.download
        ? html`<p class="card" role="status">${t('downloadReady', { size: `${Math.ceil(job.download.size / 1024)} KB`, expires: job.download.expiresAt.toLocaleString(lang, { timeZone: 'Asia/Taipei' }) })}</p>
<p><a class="button" href="/download/files/${job.download.token}" download>${t('downloadButton')}</a> <a href="/download/jobs/${job.id}/preview">${t('previewLink')}</a>${job.receipt ? html` · <a href="/download/jobs/${job.id}/receipt">${t('receiptLink')}</a>` : ''}</p>`
        : html`<p class="card" role="alert">${t(job.failure === 'build_failed' ? 'buildFailed' : 'nothingFetched')}</p>`;
    const failed = [...job.progress.values()].filter((p) => p.state === 'failed' && p.reason !== 'dataset_unknown').map((p) => p.dataset);
    // A retry asks consent for the failed data sets alone; what arrived is not consented to again.
    const retry =
      job.finished && failed.length > 0
        ? html`<p><a class="button" href="/download/consent?${new URLSearchParams(failed.map((d): [string, string] => ['datasets', d])).toString()}">${t('retryFailed')}</a></p>`
        : '';
    const body = html`<h1>${job.finished ? t('progressDone') : t('progressTitle')}</h1>
<p class="lead">${t('progressLead')}</p>
<table id="progress"${
      job.finished
        ? ''
        : html` data-events="/download/jobs/${job.id}/events" data-labels="${JSON.stringify(Object.fromEntries(Object.entries(STATE_KEYS).map(([k, v]) => [k, t(v)])))}"`
    }><thead><tr><th scope="col">${t('fields')}</th><th scope="col">${t('statusLabel')}</th><th scope="col">${t('reasonLabel')}</th></tr></thead><tbody>${rows}</tbody></table>
${result}
${retry}
`;
    return sendPage(reply, page({ lang, t, title: t('progressTitle'), path: `/download/jobs/${job.id}`, body, signedIn: signedInView(own.session) }));
  });

  app.get('/download/jobs/:id/events', async (request, reply) => {
    const own = await ownJob(request, reply);
    if (!own) return reply;
    const { job } = own;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    const send = () => {
      res.write(
        `data: ${JSON.stringify({ finished: job.finished, progress: [...job.progress.values()].map((p) => ({ dataset: p.dataset, state: p.state })) })}\n\n`,
      );
      if (job.finished) {
        unsubscribe();
        res.end();
      }
    };
    const unsubscribe = deps.jobs.subscribe(job.id, send);
    request.raw.on('close', unsubscribe);
    send();
  });

  app.get('/download/jobs/:id/preview', async (request, reply) => {
    const { lang, t } = portalContext(request, reply);
    const own = await ownJob(request, reply);
    if (!own) return reply;
    const { job } = own;
    const datasets = new Map((await chosen(job.datasets)).map((d) => [d.id, d]));
    const sections: Html[] = [];
    for (const [id, data] of job.preview ?? []) {
      const dataset = datasets.get(id);
      if (!dataset) continue;
      sections.push(html`<section class="card"><h2>${dataset.name[lang]}</h2>
<table><thead><tr>${dataset.fields.filter((f) => f.type !== 'image').map((f) => html`<th scope="col">${f.name[lang]}</th>`)}</tr></thead>
<tbody>${data.records.map((r) => html`<tr>${dataset.fields.filter((f) => f.type !== 'image').map((f) => html`<td>${formatValue(r[f.id], lang)}</td>`)}</tr>`)}</tbody></table></section>`);
    }
    const body = html`<h1>${t('previewTitle')}</h1>${sections.length > 0 ? sections : html`<p class="card">${t('previewGone')}</p>`}
<p><a href="/download/jobs/${job.id}">${t('progressDone')}</a></p>`;
    reply.header('cache-control', 'no-store');
    return sendPage(reply, page({ lang, t, title: t('previewTitle'), path: `/download/jobs/${job.id}/preview`, body, signedIn: signedInView(own.session) }));
  });

  /** Mails the person who asked for it; the address is forgotten with the job. Never fails the download. */
  async function notifyDownload(consentId: string): Promise<void> {
    const job = deps.jobs.byConsent(consentId);
    if (!job?.notify) return;
    const delivered = [...job.progress.values()].filter((p) => p.state === 'ok').map((p) => p.dataset);
    const resolved = await Promise.all(delivered.map((id) => deps.catalogue.resolve(id)));
    await deps.notifier.notify({
      to: job.notify.to,
      lang: job.notify.lang,
      kind: 'download',
      at: new Date(),
      datasets: resolved.flatMap((r) => (r ? [{ name: r.dataset.name, agency: r.agency.name }] : [])),
      historyUrl: `${deps.publicUrl}/history`,
    });
    job.notify = undefined;
  }

  app.get('/download/jobs/:id/receipt', async (request, reply) => {
    const own = await ownJob(request, reply);
    if (!own) return reply;
    const { job } = own;
    if (!job.receipt) return reply.callNotFound();
    return reply.type('application/jwt').header('content-disposition', `attachment; filename="consent-receipt-${job.consentId}.jwt"`).send(job.receipt);
  });

  app.get<{ Params: { token: string } }>('/download/files/:token', async (request, reply) => {
    const taken = await takeDownload(deps.db, request.params.token);
    if (!taken) {
      const { lang, t } = portalContext(request, reply);
      const body = html`<h1>${t('linkGoneTitle')}</h1><p>${t('linkGoneBody')}</p><p><a href="/catalogue">${t('backToCatalogue')}</a></p>`;
      return sendPage(reply, page({ lang, t, title: t('linkGoneTitle'), path: '/', body }), 410);
    }
    await deps.ledger.append([
      {
        action: 'download',
        actor: { kind: 'citizen', id: taken.subjectKey },
        subject: taken.subjectKey,
        consent: taken.consentId,
        recipient: 'self',
        outcome: 'ok',
      },
    ]);
    notifyDownload(taken.consentId).catch((error: unknown) => request.log.warn({ err: error }, 'download notice failed'));
    const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    return reply
      .type('application/zip')
      .header('content-disposition', `attachment; filename="openmydata-${stamp}.zip"`)
      .header('cache-control', 'no-store')
      .send(taken.ciphertext);
  });
}

function formatValue(value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? (lang === 'en' ? 'Yes' : '是') : lang === 'en' ? 'No' : '否';
  if (typeof value === 'number') return value.toLocaleString(lang);
  return String(value);
}
