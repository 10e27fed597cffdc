// Mode 3 in the portal: the list of online services (線上服務), the consent screen a service's
// authorization request leads to (sign-in and step-up with the portal's own session, then agree or
// refuse), and the person's transfers to services with their receipts and, until the service takes
// the data, a way to revoke. Routes speak HTTP only: oidc-provider holds the authorization request,
// ServiceTransfers the consent, retrieval and delivery.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { z } from 'zod';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import type { Agency, Dataset } from '../catalog/repository.ts';
import type { Service, ServiceDirectory, ServiceProvider } from '../catalog/service-repository.ts';
import type { ServiceTransfers } from '../delivery/service/service-transfers.ts';
import type { Transfer, TransferStatus } from '../delivery/service/transfers.ts';
import { AppError } from '../errors/problem.ts';
import { levelSuffices, requiredLevel } from '../identity/login-rules.ts';
import type { Session } from '../identity/session/session-store.ts';
import { isValidEmail } from '../notify/index.ts';
import { checkTransferDetail, DetailsRefused, parseRequestedDetails } from '../oauth/authorization-details.ts';
import { CONSENT_PATH } from '../oauth/authorization-server.ts';
import { transferHandle } from '../oauth/transfer-handle.ts';
import { RetrievalClosedError } from '../retrieval/retrieval-service.ts';
import { type Html, html } from './html.ts';
import type { Lang, MessageKey, Translate } from './i18n.ts';
import { csrfField, requireCsrf } from './portal-session.ts';
import { csrfForm, pageQuery, text } from './schemas.ts';

export interface ServicePagesDeps {
  provider: Provider;
  directory: ServiceDirectory;
  catalogue: CatalogueService;
  transfers: ServiceTransfers;
}

interface Asked {
  interaction: Interaction;
  provider: ServiceProvider;
  service: Service;
  picked: Array<{ dataset: Dataset; agency: Agency }>;
  level: number;
}

const uidParams = z.object({ uid: z.string().max(64) });

/**
 * The consent form's answer redirects (through the authorization server) to the service's redirect
 * URI, and browsers hold every hop of a form submission to the page's form-action: the consent page
 * allows the origins of this service's registered redirect URIs, and nothing else.
 */
const FORM_TARGETS = Symbol('formTargets');
type WithFormTargets = FastifyRequest & { [FORM_TARGETS]?: string[] };

async function allowFormTargets(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const targets = (request as WithFormTargets)[FORM_TARGETS];
  const policy = reply.getHeader('content-security-policy');
  if (targets && typeof policy === 'string')
    reply.header('content-security-policy', policy.replace("form-action 'self'", `form-action 'self' ${targets.join(' ')}`));
  return payload;
}
const consentForm = csrfForm.extend({ decision: text(16), email: text(320) });
const transferParams = z.object({ id: z.string().max(64) });

const STATE_KEYS: Record<TransferStatus, MessageKey> = {
  waiting: 'transferWaiting',
  ready: 'transferReady',
  delivered: 'transferDelivered',
  failed: 'transferFailed',
  revoked: 'transferRevokedState',
};

const LEVEL_KEYS = { 1: 'levelName1', 2: 'levelName2', 3: 'levelName3', 4: 'levelName4' } as const;

/** Enough of the ID for the person to recognise it, not enough to copy it off a screen. */
function maskedId(nationalId: string): string {
  return `${nationalId.slice(0, 2)}${'*'.repeat(Math.max(0, nationalId.length - 4))}${nationalId.slice(-2)}`;
}

function when(at: Date, lang: Lang): string {
  return at.toLocaleString(lang, { timeZone: 'Asia/Taipei' });
}

export function servicePages(parent: FastifyInstance, deps: ServicePagesDeps): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { directory, catalogue, transfers } = deps;

  app.get('/services', { schema: { hide: true, querystring: pageQuery } }, async (request, reply) => {
    const { lang, t } = request;
    const [services, session] = await Promise.all([directory.services(), request.session()]);
    const cards = await Promise.all(
      services.map(async (s) => {
        const [provider, picked] = await Promise.all([directory.provider(s.clientId), catalogue.pick(s.datasets)]);
        return html`<li class="card service">
<h2 class="card-title">${s.name[lang]}</h2>
<p class="meta">${t('serviceProvider')}：${provider?.name[lang] ?? s.clientId}</p>
<p>${s.purpose[lang]}</p>
<p class="meta">${t('serviceMayAsk')}：${picked.map((p) => p.dataset.name[lang]).join('、')}</p>
<p class="meta">${t('serviceKeeps', { days: s.retentionDays })} · <a href="${s.privacyPolicyUrl}">${t('servicePrivacy')}</a></p>
<p><a class="button" href="${s.startUrl}">${t('serviceStart', { name: s.name[lang] })}</a></p>
</li>`;
      }),
    );
    const mine = session?.state.authenticated ? html`<p><a href="/services/transfers">${t('transfersTitle')}</a></p>` : '';
    const body = html`<h1>${t('servicesTitle')}</h1>
<p class="lead">${t('servicesLead')}</p>
${mine}
${cards.length > 0 ? html`<ul class="cards">${cards}</ul>` : html`<p class="card">${t('servicesEmpty')}</p>`}`;
    return reply.page({ title: t('servicesTitle'), path: '/services', body });
  });

  /** The authorization request behind this interaction, checked again against the registry. */
  async function asked(request: FastifyRequest, reply: FastifyReply, uid: string): Promise<Asked | undefined> {
    let interaction: Interaction;
    try {
      interaction = await deps.provider.interactionDetails(request.raw, reply.raw);
    } catch {
      return undefined;
    }
    if (interaction.uid !== uid) return undefined;
    const clientId = interaction.params.client_id ?? '';
    const [detail] = parseRequestedDetails(interaction.params.authorization_details) ?? [];
    const provider = await directory.provider(clientId);
    if (!detail || !provider) return undefined;
    try {
      const { service, details } = await checkTransferDetail(detail, clientId, { directory, catalogue });
      const picked = await catalogue.pick(details.datasets);
      return { interaction, provider, service, picked, level: requiredLevel(picked.map((p) => p.dataset.minAssuranceLevel)) };
    } catch (error) {
      if (error instanceof DetailsRefused) return undefined;
      throw error;
    }
  }

  function gone(request: FastifyRequest, reply: FastifyReply) {
    const { t } = request;
    const body = html`<h1>${t('oauthErrorTitle')}</h1><p class="card" role="alert">${t('consentRequestGone')}</p><p><a href="/services">${t('servicesTitle')}</a></p>`;
    return reply.page({ title: t('oauthErrorTitle'), path: '/services', body, status: 410 });
  }

  function signedInAt(session: Session | undefined, level: number): session is Session {
    return Boolean(session?.state.authenticated && session.state.nationalId && levelSuffices(session.state, level));
  }

  async function consentPage(request: FastifyRequest, reply: FastifyReply, uid: string, error?: MessageKey) {
    const { lang, t } = request;
    const a = await asked(request, reply, uid);
    if (!a) return gone(request, reply);
    const session = await request.session();
    if (!signedInAt(session, a.level)) {
      return reply.redirect(`/login?${new URLSearchParams({ next: `${CONSENT_PATH}/${uid}`, level: String(a.level) })}`, 303);
    }
    (request as WithFormTargets)[FORM_TARGETS] = [...new Set(a.provider.redirectUris.map((u) => new URL(u).origin))];
    const rows = a.picked.map(
      (p) =>
        html`<tr><td>${p.dataset.name[lang]}<details><summary>${t('serviceFieldsSummary')}</summary><ul class="fields">${p.dataset.fields.map(
          (f) => html`<li>${f.name[lang]}</li>`,
        )}</ul></details></td><td>${p.agency.name[lang]}</td></tr>`,
    );
    const body = html`<h1>${t('serviceConsentTitle')}</h1>
<p class="lead">${t('serviceConsentLead', { provider: a.provider.name[lang], service: a.service.name[lang] })}</p>
${error ? html`<p role="alert" class="card" id="form-error">${t(error)}</p>` : ''}
<form method="post" action="${CONSENT_PATH}/${uid}" class="card">
  <input type="hidden" name="_csrf" value="${csrfField(session)}">
  <dl>
    <dt>${t('serviceRecipient')}</dt><dd>${a.provider.name[lang]} · ${a.service.name[lang]}</dd>
    <dt>${t('serviceWhy')}</dt><dd>${a.service.purpose[lang]}</dd>
    <dt>${t('serviceKeep')}</dt><dd>${t('serviceKeeps', { days: a.service.retentionDays })}</dd>
    <dt>${t('servicePrivacy')}</dt><dd><a href="${a.service.privacyPolicyUrl}">${a.service.privacyPolicyUrl}</a></dd>
    <dt>${t('serviceSignedInAs')}</dt><dd>${maskedId(session.state.nationalId as string)}</dd>
    <dt>${t('serviceLevelNeeded')}</dt><dd>${t(LEVEL_KEYS[a.level as 1 | 2 | 3 | 4])}</dd>
  </dl>
  <h2>${t('consentWhat')}</h2>
  <table><thead><tr><th scope="col">${t('datasetColumn')}</th><th scope="col">${t('agency')}</th></tr></thead><tbody>${rows}</tbody></table>
  <p>${t('serviceOneUse')}</p>
  <p><label for="email">${t('serviceEmailLabel')}</label><br>
  <input id="email" name="email" type="email" maxlength="254" autocomplete="email" aria-describedby="email-help"></p>
  <p id="email-help" class="meta">${t('serviceEmailHelp')}</p>
  <p class="actions"><button type="submit" name="decision" value="agree">${t('serviceAgree')}</button>
  <button type="submit" name="decision" value="refuse" class="secondary">${t('serviceRefuse')}</button></p>
</form>`;
    return reply.page({ title: t('serviceConsentTitle'), path: `${CONSENT_PATH}/${uid}`, body, status: error ? 422 : 200, session });
  }

  app.get(`${CONSENT_PATH}/:uid`, { schema: { hide: true, params: uidParams, querystring: pageQuery }, onSend: allowFormTargets }, async (request, reply) =>
    consentPage(request, reply, request.params.uid),
  );

  app.post(`${CONSENT_PATH}/:uid`, { schema: { hide: true, params: uidParams, body: consentForm }, onSend: allowFormTargets }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    const { uid } = request.params;
    const a = await asked(request, reply, uid);
    if (!a) return gone(request, reply);
    const nationalId = session.state.nationalId;
    if (!nationalId || !signedInAt(session, a.level)) {
      return reply.redirect(`/login?${new URLSearchParams({ next: `${CONSENT_PATH}/${uid}`, level: String(a.level) })}`, 303);
    }
    const datasets = a.picked.map((p) => p.dataset.id);
    if (request.body.decision !== 'agree') {
      await transfers.refuse({ nationalId, service: a.service, datasets });
      const returnTo = await deps.provider.interactionResult(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The person did not consent to the transfer.' },
        { mergeWithLastSubmission: false },
      );
      return reply.redirect(returnTo, 303);
    }
    const email = request.body.email.trim();
    if (email !== '' && !isValidEmail(email)) return consentPage(request, reply, uid, 'emailInvalid');
    let started: Awaited<ReturnType<ServiceTransfers['start']>>;
    try {
      started = await transfers.start({
        nationalId,
        provider: a.provider,
        service: a.service,
        datasets: a.picked,
        notice: email ? { to: email, lang: request.lang } : undefined,
        lang: request.lang,
      });
    } catch (error) {
      if (error instanceof RetrievalClosedError) throw new AppError('shutting_down', 'The platform is restarting; please send the form again in a moment.');
      throw error;
    }
    const accountId = transferHandle(started.retrievalId, started.key);
    const grant = new deps.provider.Grant({ accountId, clientId: a.provider.clientId });
    const grantId = await grant.save();
    const returnTo = await deps.provider.interactionResult(
      request.raw,
      reply.raw,
      { login: { accountId, remember: false }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
    return reply.redirect(returnTo, 303);
  });

  async function me(request: FastifyRequest): Promise<{ session: Session; nationalId: string } | undefined> {
    const session = await request.session();
    const nationalId = session?.state.authenticated ? session.state.nationalId : undefined;
    return session && nationalId ? { session, nationalId } : undefined;
  }

  async function transfersPage(request: FastifyRequest, reply: FastifyReply, notice?: MessageKey) {
    const { lang, t } = request;
    const signedIn = await me(request);
    if (!signedIn) return reply.redirect(`/login?${new URLSearchParams({ next: '/services/transfers' })}`, 303);
    const list = await transfers.transfersOf(signedIn.nationalId);
    const rows = await Promise.all(list.map((x) => transferRow(x, lang, t, signedIn.session)));
    const body = html`<h1>${t('transfersTitle')}</h1>
<p class="lead">${t('transfersLead')}</p>
${notice ? html`<p class="card" role="status">${t(notice)}</p>` : ''}
${
  rows.length > 0
    ? html`<table><thead><tr><th scope="col">${t('historyTime')}</th><th scope="col">${t('serviceRecipient')}</th><th scope="col">${t('historyData')}</th><th scope="col">${t('serviceWhy')}</th><th scope="col">${t('statusLabel')}</th><th scope="col"><span class="visually-hidden">${t('transferActions')}</span></th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="card">${t('transfersEmpty')}</p>`
}
<p><a href="/services">${t('servicesTitle')}</a> · <a href="/history">${t('historyTitle')}</a></p>`;
    return reply.page({ title: t('transfersTitle'), path: '/services/transfers', body, session: signedIn.session });
  }

  async function transferRow(x: Transfer & { datasets: string[] }, lang: Lang, t: Translate, session: Session): Promise<Html> {
    const [service, provider, picked] = await Promise.all([directory.service(x.serviceId), directory.provider(x.clientId), catalogue.pick(x.datasets)]);
    const names = picked.map((p) => p.dataset.name[lang]).join('、');
    const revocable = x.status === 'waiting' || x.status === 'ready';
    return html`<tr><td>${when(x.createdAt, lang)}</td><td>${provider?.name[lang] ?? x.clientId} · ${service?.name[lang] ?? x.serviceId}</td><td>${names}</td><td>${service?.purpose[lang] ?? ''}</td><td>${t(STATE_KEYS[x.status])}${x.deliveredAt ? html`<br><span class="meta">${when(x.deliveredAt, lang)}</span>` : ''}</td>
<td><a href="/services/transfers/${x.retrievalId}/receipt">${t('receiptLink')}</a>${
      revocable
        ? html`<form method="post" action="/services/transfers/${x.retrievalId}/revoke" class="inline"><input type="hidden" name="_csrf" value="${csrfField(session)}"> <button type="submit">${t('transferRevoke')}</button></form>`
        : ''
    }</td></tr>`;
  }

  app.get('/services/transfers', { schema: { hide: true, querystring: pageQuery } }, async (request, reply) => transfersPage(request, reply));

  app.post('/services/transfers/:id/revoke', { schema: { hide: true, params: transferParams, body: csrfForm } }, async (request, reply) => {
    const session = await request.session();
    requireCsrf(session, request.body);
    const signedIn = await me(request);
    if (!signedIn) return reply.redirect(`/login?${new URLSearchParams({ next: '/services/transfers' })}`, 303);
    const ok = /^[0-9a-f-]{36}$/.test(request.params.id) && (await transfers.revoke(request.params.id, signedIn.nationalId));
    return transfersPage(request, reply, ok ? 'transferRevoked' : 'transferRevokeFailed');
  });

  app.get('/services/transfers/:id/receipt', { schema: { hide: true, params: transferParams } }, async (request, reply) => {
    const signedIn = await me(request);
    const own = signedIn && /^[0-9a-f-]{36}$/.test(request.params.id) ? await transfers.ownTransfer(request.params.id, signedIn.nationalId) : undefined;
    if (!own?.receipt) return reply.callNotFound();
    return reply
      .type('application/jwt')
      .header('content-disposition', `attachment; filename="consent-receipt-${own.transfer.consentId}.jwt"`)
      .send(own.receipt);
  });
}
