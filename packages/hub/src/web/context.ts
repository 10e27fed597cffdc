// Per-request portal context: the language (query, then cookie, then zh-TW) and how to answer.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Html } from './html.ts';
import { type Lang, pickLang, type Translate, translator } from './i18n.ts';

const LANG_COOKIE = 'omd_lang';

/** The raw cookie value: only exact known values are ever used, so nothing needs decoding. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function portalContext(request: FastifyRequest, reply: FastifyReply): { lang: Lang; t: Translate } {
  // Read from the address itself: this runs before (and outside) any route's query schema.
  const queryLang = new URLSearchParams(request.url.split('?')[1] ?? '').get('lang') ?? undefined;
  const lang = pickLang(queryLang, cookieValue(request.headers.cookie, LANG_COOKIE));
  if (typeof queryLang === 'string' && queryLang === lang) {
    reply.header('set-cookie', `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
  }
  return { lang, t: translator(lang) };
}

export function sendPage(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.value);
}

/** Browsers get pages; API clients get problem+json. */
export function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}
