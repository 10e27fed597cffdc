// Mode 2 in the portal, the person's side: the counter services by local government and office ->
// sign in at the level the service's data sets need -> consent (office, service, purpose, each data
// set and its agency; an e-mail for the confirmation code) -> live progress -> the code as a QR code,
// a Code128 barcode and text, printable, re-issuable. The routes only speak HTTP: consent and
// retrieval are the retrieval core's, the package and its codes the counter delivery's.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FAILURE_MESSAGES, type FailureReason } from '../broker/outcome.ts';
import type { CounterDirectory, ResolvedService } from '../counter/counter-directory.ts';
import { groupCode } from '../delivery/counter/counter-code.ts';
import { createCounterDelivery, type CounterDeliveryDeps } from '../delivery/counter/counter-delivery.ts';
import type { CounterService } from '../delivery/counter/counter-service.ts';
import { code128Png, qrPng } from '../delivery/counter/render-codes.ts';
import { AppError } from '../errors/problem.ts';
import { levelSuffices, requiredLevel } from '../identity/login-rules.ts';
import type { Session } from '../identity/session/session-store.ts';
import { isValidEmail, normalizeMobile } from '../notify/index.ts';
import { ConsentUnavailableError, RetrievalClosedError, type RetrievalService } from '../retrieval/retrieval-service.ts';
import { DATASET_STATE_KEYS } from './page-parts.ts';
import { type Html, html, raw } from './html.ts';
import type { Lang, MessageKey, Translate } from './i18n.ts';
import { csrfField, type PortalSessions, rememberRetrievalKey, requireCsrf, retrievalKeys } from './portal-session.ts';
import { csrfForm, pageQuery, text } from './schemas.ts';

export interface CounterPagesDeps {
  sessions: PortalSessions;
  retrievals: RetrievalService;
  directory: CounterDirectory;
  counters: CounterService;
  delivery: CounterDeliveryDeps;
  /** The hub can send SMS: a mobile number is accepted instead of an e-mail address. */
  acceptsMobile?: boolean;
}

/** A consent waits this long for its retrieval to start. */
const CONSENT_VALID_MS = 10 * 60 * 1000;
const serviceParams = z.object({ id: z.string().max(64) });
const retrievalParams = z.object({ id: z.string().max(64) });
const consentForm = csrfForm.extend({ email: text(320), decision: text(16) });
const codeQuery = pageQuery.extend({ notice: text(16) });

function levelName(t: Translate, level: number): string {
  return t(level === 1 ? 'levelName1' : level === 2 ? 'levelName2' : level === 3 ? 'levelName3' : 'levelName4');
}

function when(at: Date, lang: Lang): string {
  return at.toLocaleString(lang, { timeZone: 'Asia/Taipei', hour12: false });
}

function clock(at: Date, lang: Lang): string {
  return at.toLocaleTimeString(lang, { timeZone: 'Asia/Taipei', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function counterPages(parent: FastifyInstance, deps: CounterPagesDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { directory, retrievals, counters } = deps;

  const levelOf = (service: ResolvedService) => requiredLevel(service.resolved.map((r) => r.dataset.minAssuranceLevel));

  async function usable(id: string): Promise<ResolvedService | undefined> {
    const service = /^[a-z0-9][a-z0-9-]{0,63}$/.test(id) ? await directory.service(id) : undefined;
    return service && service.missing.length === 0 && service.resolved.length > 0 ? service : undefined;
  }

  function datasetList(service: ResolvedService, lang: Lang, t: Translate): Html {
    return html`<table><thead><tr><th scope="col">${t('datasetColumn')}</th><th scope="col">${t('agency')}</th><th scope="col">${t('assuranceLevel')}</th></tr></thead>
<tbody>${service.resolved.map((r) => html`<tr><td>${r.dataset.name[lang]}</td><td>${r.agency.name[lang]}</td><td>${levelName(t, r.dataset.minAssuranceLevel)}</td></tr>`)}</tbody></table>`;
  }

  app.get('/counters', { schema: { hide: true, querystring: pageQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const services = await directory.services();
    const offices = await directory.offices();
    const governments = [...new Map(offices.map((o) => [o.government.id, o.government])).values()];
    const sections = governments.map(
      (g) => html`<section><h2>${g.name[lang]}</h2>
${offices
  .filter((o) => o.government.id === g.id)
  .map(
    (o) => html`<h3>${o.name[lang]}</h3><p class="meta">${t('counterAddress')}：${o.address[lang]}</p>
<ul class="cards">${services
      .filter((s) => s.officeId === o.id)
      .map(
        (s) => html`<li class="card" id="service-${s.id}"><h4 class="card-title">${s.name[lang]}</h4>
<p class="meta">${t('counterPurpose')}：${s.purpose[lang]}</p>
<p class="meta">${t('counterDatasets')}：${s.resolved.map((r) => r.dataset.name[lang]).join('、')}</p>
${
  s.missing.length > 0
    ? html`<p class="meta">${t('counterUnavailable')}</p>`
    : html`<p><a class="button" href="/counters/services/${s.id}/consent">${t('counterStart', { name: s.name[lang] })}</a></p>`
}</li>`,
      )}</ul>`,
  )}</section>`,
    );
    const body = html`<h1>${t('countersTitle')}</h1>
<p class="lead">${t('countersLead')}</p>
${sections.length > 0 ? sections : html`<p class="card">${t('countersNone')}</p>`}`;
    return reply.page({ title: t('countersTitle'), path: '/counters', body });
  });

  /** The signed-in person's session at the level the service needs, or a redirect to login. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, service: ResolvedService): Promise<Session | undefined> {
    const session = await request.session();
    const level = levelOf(service);
    if (session?.state.authenticated && session.state.nationalId && levelSuffices(session.state, level)) return session;
    await reply.redirect(`/login?${new URLSearchParams({ next: `/counters/services/${service.id}/consent`, level: String(level) })}`, 303);
    return undefined;
  }

  app.get('/counters/services/:id/consent', { schema: { hide: true, params: serviceParams, querystring: pageQuery } }, async (request, reply) =>
    consentPage(request, reply, request.params.id),
  );

  async function consentPage(request: FastifyRequest, reply: FastifyReply, id: string, error?: MessageKey, email = '') {
    const { lang, t } = request;
    const service = await usable(id);
    if (!service) return reply.callNotFound();
    const session = await signedIn(request, reply, service);
    if (!session) return reply;
    const body = html`<h1>${t('consentTitle')}</h1>
<p class="lead">${t('counterConsentLead')}</p>
${error ? html`<p role="alert" class="card" id="form-error">${t(error)}</p>` : ''}
<form method="post" action="/counters/services/${service.id}/consent" class="card">
  <input type="hidden" name="_csrf" value="${csrfField(session)}">
  <dl>
    <dt>${t('counterOffice')}</dt><dd>${service.office.name[lang]}（${service.office.address[lang]}）</dd>
    <dt>${t('consentForWhom')}</dt><dd>${t('counterConsentRecipient', { office: service.office.name[lang], service: service.name[lang] })}</dd>
    <dt>${t('consentWhy')}</dt><dd>${service.purpose[lang]}</dd>
  </dl>
  <h2>${t('consentWhat')}</h2>
  ${datasetList(service, lang, t)}
  <dl>
    <dt>${t('consentKeep')}</dt><dd>${t('counterConsentKeep')}</dd>
  </dl>
  <p>${t('consentOneUse')}</p>
  <p><label for="email">${t(deps.acceptsMobile ? 'counterContactLabel' : 'counterEmailLabel')}</label><br>
  <input id="email" name="email" type="${deps.acceptsMobile ? 'text' : 'email'}" maxlength="254" autocomplete="${deps.acceptsMobile ? 'on' : 'email'}" required value="${email}" aria-describedby="email-help"${error ? raw(' aria-invalid="true"') : ''}></p>
  <p id="email-help" class="meta">${t(deps.acceptsMobile ? 'counterContactHelp' : 'counterEmailHelp')}</p>
  <p><button type="submit" name="decision" value="agree">${t('counterAgree')}</button>
  <button type="submit" name="decision" value="deny" class="secondary" formnovalidate>${t('counterDeny')}</button></p>
</form>`;
    return reply.page({ title: t('consentTitle'), path: `/counters/services/${service.id}/consent`, body, status: error ? 422 : 200, session });
  }

  app.post('/counters/services/:id/consent', { schema: { hide: true, params: serviceParams, body: consentForm } }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    const { t } = request;
    const service = await usable(request.params.id);
    if (!service) return reply.callNotFound();
    const nationalId = session.state.nationalId;
    if (!session.state.authenticated || !nationalId || !levelSuffices(session.state, levelOf(service))) {
      return reply.redirect(`/login?${new URLSearchParams({ next: `/counters/services/${service.id}/consent`, level: String(levelOf(service)) })}`, 303);
    }
    const subjectKey = retrievals.subjectKeyOf(nationalId);
    const recipient = { kind: 'counter' as const, id: service.id };
    const purpose = `${service.purpose['zh-TW']} / ${service.purpose.en}`;
    if (request.body.decision === 'deny') {
      await retrievals.deny({ subjectKey, datasets: service.datasets, recipient, purpose });
      const body = html`<h1>${t('counterDeny')}</h1><p class="card" role="status">${t('counterDenied')}</p><p><a href="/counters">${t('counterMoreServices')}</a></p>`;
      return reply.page({ title: t('counterDeny'), path: '/counters', body, session });
    }
    const email = request.body.email.trim();
    if (email === '') return consentPage(request, reply, service.id, deps.acceptsMobile ? 'counterContactRequired' : 'counterEmailRequired');
    // A mobile number goes by SMS (when the hub has an SMS gateway), in E.164; anything else must be an e-mail address.
    const mobile = deps.acceptsMobile ? normalizeMobile(email) : undefined;
    if (!mobile && !isValidEmail(email)) return consentPage(request, reply, service.id, deps.acceptsMobile ? 'counterContactInvalid' : 'emailInvalid', email);
    const consent = await retrievals.grant({
      subjectKey,
      datasets: service.resolved.map((r) => r.dataset),
      recipient,
      purpose,
      controller: {
        'zh-TW': `${service.office.name['zh-TW']}（${service.name['zh-TW']}）`,
        en: `${service.office.name.en} (${service.name.en})`,
      },
      validForMs: CONSENT_VALID_MS,
      language: request.lang,
    });
    const retrievalKey = randomBytes(32);
    try {
      const { retrievalId } = await retrievals.retrieve({
        consentId: consent.id,
        nationalId,
        delivery: createCounterDelivery(deps.delivery, {
          serviceId: service.id,
          officeId: service.officeId,
          retrievalKey,
          notice: { to: mobile ?? email, lang: request.lang },
        }),
      });
      rememberRetrievalKey(session, retrievalId, retrievalKey);
      await deps.sessions.store.save(session);
      return reply.redirect(`/counters/codes/${retrievalId}`, 303);
    } catch (error) {
      if (error instanceof ConsentUnavailableError) return consentPage(request, reply, service.id, 'consentGone');
      if (error instanceof RetrievalClosedError) throw new AppError('shutting_down', 'The platform is restarting; please send the form again in a moment.');
      throw error;
    }
  });

  /** The person's own counter retrieval, for a session as strong as its data sets need; else 404. */
  async function own(id: string, request: FastifyRequest, reply: FastifyReply) {
    const session = await request.session();
    const nationalId = session?.state.authenticated ? session.state.nationalId : undefined;
    const key = session ? retrievalKeys(session).get(id) : undefined;
    const view = nationalId && /^[0-9a-f-]{36}$/.test(id) ? await counters.codeView(id, retrievals.subjectKeyOf(nationalId), key) : undefined;
    const level = view?.service ? levelOf(view.service) : 1;
    if (!session || !view || !levelSuffices(session.state, level)) {
      await reply.callNotFound();
      return undefined;
    }
    return { session, view, key };
  }

  app.get('/counters/codes/:id', { schema: { hide: true, params: retrievalParams, querystring: codeQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    const { view, session } = mine;
    const { retrieval, service } = view;
    const names = new Map((service?.resolved ?? []).map((r) => [r.dataset.id, r.dataset.name[lang]]));
    const office = service ? service.office.name[lang] : retrieval.recipient.id;
    const finished = retrieval.status !== 'running';
    const rows = retrieval.datasets.map(
      (p) =>
        html`<tr data-dataset="${p.dataset}"><td>${names.get(p.dataset) ?? p.dataset}</td><td class="state">${t(DATASET_STATE_KEYS[p.state])}</td><td class="reason">${
          p.reason && p.reason in FAILURE_MESSAGES ? FAILURE_MESSAGES[p.reason as FailureReason][lang] : ''
        }</td></tr>`,
    );
    const labels = JSON.stringify(Object.fromEntries(Object.entries(DATASET_STATE_KEYS).map(([k, v]) => [k, t(v)])));
    const progress = html`<table id="progress" class="no-print"${finished ? '' : html` data-events="/counters/codes/${retrieval.id}/events" data-labels="${labels}"`}><thead><tr><th scope="col">${t('datasetColumn')}</th><th scope="col">${t('statusLabel')}</th><th scope="col">${t('reasonLabel')}</th></tr></thead><tbody>${rows}</tbody></table>`;
    const notice = request.query.notice === 'reissued' ? html`<p class="card no-print" role="status">${t('counterReissued')}</p>` : '';
    let heading: string;
    let result: Html;
    if (!finished) {
      heading = t('counterProgressTitle');
      result = html`<noscript><meta http-equiv="refresh" content="3"></noscript>`;
    } else if (retrieval.status === 'failed') {
      heading = t('progressFailed');
      result = html`<p class="card" role="alert">${t(retrieval.failure === 'nothing_fetched' ? 'counterNothing' : retrieval.failure === 'interrupted' ? 'retrievalInterrupted' : 'counterBuildFailed')}</p>
<p><a class="button" href="/counters/services/${retrieval.recipient.id}/consent">${t('retryFailed')}</a></p>`;
    } else if (view.redeemedAt) {
      heading = t('progressDone');
      result = html`<p class="card" role="status">${t('counterRedeemed', { office, at: when(view.redeemedAt, lang) })}</p>`;
    } else if (!view.package) {
      heading = t('progressDone');
      result = html`<p class="card" role="status">${t('counterPackageGone')}</p>`;
    } else {
      heading = t('counterReadyTitle');
      const reissue = html`<form method="post" action="/counters/codes/${retrieval.id}/reissue" class="inline no-print"><input type="hidden" name="_csrf" value="${csrfField(session)}"><button type="submit">${t('counterReissue')}</button></form>`;
      result = view.code
        ? html`<p class="lead">${t('counterReadyLead', { office })}</p>
<section class="counter-code card" aria-labelledby="code-label">
  <h2 id="code-label">${t('counterCodeLabel')}</h2>
  <p class="code-text" lang="en">${groupCode(view.code.code)}</p>
  <img class="qr" src="/counters/codes/${retrieval.id}/qr.png" alt="${t('counterQrAlt', { code: groupCode(view.code.code) })}" width="348" height="348">
  <img class="barcode" src="/counters/codes/${retrieval.id}/barcode.png" alt="${t('counterBarcodeAlt', { code: groupCode(view.code.code) })}">
  <p>${t('counterCodeValid', { time: clock(view.code.expiresAt, lang), until: when(view.package.expiresAt, lang) })}</p>
</section>
<p class="no-print"><button type="button" class="print" hidden>${t('counterPrint')}</button> ${reissue}</p>`
        : html`<p class="card" role="status">${t('counterCodeExpired', { until: when(view.package.expiresAt, lang) })}</p><p>${reissue}</p>`;
    }
    const receipt = finished && view.receipt ? html`<p class="no-print"><a href="/counters/codes/${retrieval.id}/receipt">${t('receiptLink')}</a></p>` : '';
    const body = html`<h1>${heading}</h1>
${notice}
${result}
${progress}
${receipt}
<script src="/assets/counter.js" defer></script>`;
    return reply.page({ title: heading, path: `/counters/codes/${retrieval.id}`, body, session });
  });

  app.get('/counters/codes/:id/events', { schema: { hide: true, params: retrievalParams } }, async (request, reply) => {
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
    stop = retrievals.watch(mine.view.retrieval.id, (snapshot) => {
      const finished = snapshot.status !== 'running';
      res.write(`data: ${JSON.stringify({ finished, progress: snapshot.datasets.map((p) => ({ dataset: p.dataset, state: p.state })) })}\n\n`);
      if (finished) {
        stop();
        res.end();
      }
    });
    request.raw.on('close', stop);
  });

  for (const [name, render] of [
    ['qr.png', qrPng],
    ['barcode.png', code128Png],
  ] as const) {
    app.get(`/counters/codes/:id/${name}`, { schema: { hide: true, params: retrievalParams } }, async (request, reply) => {
      const mine = await own(request.params.id, request, reply);
      if (!mine) return reply;
      if (!mine.view.code) return reply.callNotFound();
      return reply
        .type('image/png')
        .header('cache-control', 'no-store')
        .send(await render(mine.view.code.code));
    });
  }

  app.post('/counters/codes/:id/reissue', { schema: { hide: true, params: retrievalParams, body: csrfForm } }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    if (!mine.key || !(await counters.reissue(mine.view.retrieval.id, mine.view.retrieval.subjectKey, mine.key))) {
      return reply.redirect(`/counters/codes/${mine.view.retrieval.id}`, 303);
    }
    return reply.redirect(`/counters/codes/${mine.view.retrieval.id}?notice=reissued`, 303);
  });

  app.get('/counters/codes/:id/receipt', { schema: { hide: true, params: retrievalParams } }, async (request, reply) => {
    const mine = await own(request.params.id, request, reply);
    if (!mine) return reply;
    if (!mine.view.receipt) return reply.callNotFound();
    return reply
      .type('application/jwt')
      .header('content-disposition', `attachment; filename="consent-receipt-${mine.view.retrieval.consentId}.jwt"`)
      .send(mine.view.receipt);
  });
}
