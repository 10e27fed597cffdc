// Readable pages for people when something is missing or broken (APIs answer problem+json).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { portalContext, sendPage } from './context.ts';
import { html } from './html.ts';
import { page } from './layout.ts';

export function notFoundPage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { lang, t } = portalContext(request, reply);
  const body = html`<h1>${t('notFoundTitle')}</h1><p>${t('notFoundBody')}</p><p><a href="/catalogue">${t('backToCatalogue')}</a></p>`;
  return sendPage(reply, page({ lang, t, title: t('notFoundTitle'), path: '/catalogue', body }), 404);
}

export function errorPage(request: FastifyRequest, reply: FastifyReply, status = 500): FastifyReply {
  const { lang, t } = portalContext(request, reply);
  const body = html`<h1>${t('errorTitle')}</h1><p>${t('errorBody')}</p><p class="meta">${request.id}</p><p><a href="/">${t('navHome')}</a></p>`;
  return sendPage(reply, page({ lang, t, title: t('errorTitle'), path: '/', body }), status);
}
