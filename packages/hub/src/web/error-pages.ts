// Readable pages for people when something is missing, refused or broken (APIs answer problem+json).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE } from '../errors/catalogue.ts';
import type { PagePresenter } from '../errors/handler.ts';
import type { AppError } from '../errors/problem.ts';
import { portalContext, sendPage, wantsHtml } from './context.ts';
import { html } from './html.ts';
import type { Translate } from './i18n.ts';
import { page } from './layout.ts';

export function notFoundPage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { lang, t } = portalContext(request, reply);
  const body = html`<h1>${t('notFoundTitle')}</h1><p>${t('notFoundBody')}</p><p><a href="/catalogue">${t('backToCatalogue')}</a></p>`;
  return sendPage(reply, page({ lang, t, title: t('notFoundTitle'), path: '/catalogue', body }), 404);
}

export function errorPage(request: FastifyRequest, reply: FastifyReply, status = 500): FastifyReply {
  const { lang, t } = portalContext(request, reply);
  const body = html`<h1>${t('errorTitle')}</h1><p>${t('errorBody')}</p><p class="meta">${t('errorReference')}: ${request.id}</p><p><a href="/">${t('navHome')}</a></p>`;
  return sendPage(reply, page({ lang, t, title: t('errorTitle'), path: '/', body }), status);
}

function helpFor(code: AppError['code'], t: Translate): string {
  switch (code) {
    case 'csrf_failed':
      return t('problemHelp_csrf_failed');
    case 'unauthenticated':
      return t('problemHelp_unauthenticated');
    case 'rate_limited':
      return t('problemHelp_rate_limited');
    default:
      return t('problemHelp_other');
  }
}

/** A refused request from a browser: the catalogue title in the person's language, what to do, where to go. */
export function problemPage(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  if (error.status >= 500) return errorPage(request, reply, error.status);
  const { lang, t } = portalContext(request, reply);
  const title = ERROR_CATALOGUE[error.code].title[lang];
  const next = request.method === 'GET' ? request.url.split('?')[0] : '/';
  const action =
    error.code === 'unauthenticated'
      ? html`<a class="button" href="/login?next=${encodeURIComponent(next ?? '/')}">${t('signInToContinue')}</a>`
      : html`<a href="/catalogue">${t('backToCatalogue')}</a>`;
  const body = html`<h1>${title}</h1><p>${helpFor(error.code, t)}</p><p>${action}</p><p class="meta">${t('errorReference')}: ${request.id}</p>`;
  return sendPage(reply, page({ lang, t, title, path: '/', body }), error.status);
}

/** The portal's pages for refusals, handed to the error handler by the server. */
export const portalErrorPages: PagePresenter = {
  wantsPage: wantsHtml,
  notFound: notFoundPage,
  problem: problemPage,
  failure: (request, reply) => errorPage(request, reply),
};
