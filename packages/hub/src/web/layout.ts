// The portal's page frame: language, landmarks, skip link, language switch, footer.
import { type Html, html } from './html.ts';
import type { Lang, Translate } from './i18n.ts';

export interface PageInput {
  lang: Lang;
  t: Translate;
  title: string;
  /** Path of this page without the query, for the language switch. */
  path: string;
  query?: Record<string, string> | URLSearchParams;
  body: Html;
  /** When the person is signed in: the CSRF token for the sign-out form. */
  signedIn?: { csrf: string };
}

export function page(input: PageInput): Html {
  const { lang, t } = input;
  const other: Lang = lang === 'zh-TW' ? 'en' : 'zh-TW';
  const query = new URLSearchParams(input.query ?? {});
  query.set('lang', other);
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} · ${t('siteName')}</title>
<link rel="stylesheet" href="/assets/portal.css">
<script src="/assets/portal.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t('skipToContent')}</a>
<header class="site">
  <div class="bar">
    <a class="name" href="/">${t('siteName')}</a>
    <nav aria-label="${lang === 'en' ? 'Main' : '主選單'}">
      <ul>
        <li><a href="/">${t('navHome')}</a></li>
        <li><a href="/catalogue">${t('navCatalogue')}</a></li>
        <li><a href="/services">${t('navServices')}</a></li>
        <li><a href="/counters">${t('navCounters')}</a></li>
        <li><a href="/history">${t('navHistory')}</a></li>
      </ul>
    </nav>
    <a class="lang" href="${input.path}?${query.toString()}" lang="${other}" hreflang="${other}">${t('switchLanguage')}</a>
    ${
      input.signedIn
        ? html`<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${input.signedIn.csrf}"><button type="submit">${t('logout')}</button></form>`
        : ''
    }
  </div>
</header>
<main id="main" tabindex="-1">
${input.signedIn ? html`<p id="idle-warning" class="card" role="alert" hidden>${t('idleWarning')}</p>` : ''}
${input.body}
</main>

<footer class="site"><p>${t('footerPrivacy')}</p></footer>
</body>
</html>
`;
}
