// The counter console's page frame: language, landmarks, skip link, language switch, the clerk and
// their office, sign-out. Scripts and styles are files under /console/assets/ (the CSP forbids inline).
import type { Html } from '../../web/html.ts';
import { html } from '../../web/html.ts';
import type { Lang } from '../../web/i18n.ts';
import type { ConsoleTranslate } from './console-i18n.ts';

export interface ConsolePageInput {
  lang: Lang;
  t: ConsoleTranslate;
  title: string;
  /** This page's path without the query, for the language switch. */
  path: string;
  body: Html;
  /** The signed-in clerk: who, where, and the CSRF token of the sign-out form. */
  staff?: { label: string; csrf: string };
}

export function consolePage(input: ConsolePageInput): Html {
  const { lang, t } = input;
  const other: Lang = lang === 'zh-TW' ? 'en' : 'zh-TW';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title} · ${t('consoleName')}</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t('skipToContent')}</a>
<header class="console">
  <div class="bar">
    <a class="name" href="/console">${t('consoleName')}</a>
    ${input.staff ? html`<p class="who">${input.staff.label}</p>` : ''}
    <a class="lang" href="${input.path}?lang=${other}" lang="${other}" hreflang="${other}">${t('switchLanguage')}</a>
    ${
      input.staff
        ? html`<form method="post" action="/console/sign-out" class="sign-out"><input type="hidden" name="_csrf" value="${input.staff.csrf}"><button type="submit">${t('signOut')}</button></form>`
        : ''
    }
  </div>
</header>
<main id="main" tabindex="-1">
${input.staff ? html`<p id="idle-warning" class="notice" role="alert" hidden>${t('idleWarning')}</p>` : ''}
${input.body}
</main>
</body>
</html>
`;
}
