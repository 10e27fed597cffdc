// What a person's browser sees when an authorization cannot even reach the service (no pushed
// request, an expired request_uri, an unknown client): the portal's look, both languages, the
// public OAuth error only, and the way back. Errors the service can be told of go back to it instead.
import type { ErrorOut, ProviderContext } from 'oidc-provider';
import { html } from '../web/html.ts';
import { translator } from '../web/i18n.ts';
import { page } from '../web/layout.ts';
import { contentSecurityPolicy } from '../web/security-headers.ts';

export function renderOAuthError(ctx: ProviderContext, out: ErrorOut): void {
  const t = translator('zh-TW');
  const detail = `${out.error}${out.error_description ? `: ${out.error_description}` : ''}`;
  const body = html`<h1>${t('oauthErrorTitle')}</h1>
<p class="card" role="alert">${t('oauthErrorBody')}</p>
<p lang="en" class="card">${translator('en')('oauthErrorBody')}</p>
<p class="meta"><code>${detail}</code></p>
<p><a href="/services">${t('servicesTitle')}</a></p>`;
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', contentSecurityPolicy({}));
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = page({ lang: 'zh-TW', t, title: t('oauthErrorTitle'), path: '/services', body }).value;
}
