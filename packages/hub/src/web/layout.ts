// The portal's page frame: language, landmarks, skip link, language switch, footer.
import { type Html, html, raw } from './html.ts';
import type { Lang, Translate } from './i18n.ts';

const STYLE = raw(`
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --brand: #0b5394; --brand-ink: #ffffff; --line: #c9d3de; --bg: #f6f8fb; --focus: #b35c00; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans TC", "Noto Sans CJK TC", system-ui, sans-serif; color: var(--ink); background: var(--bg); line-height: 1.6; font-size: 1.0625rem; }
a { color: var(--brand); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--brand); color: var(--brand-ink); padding: .5rem 1rem; }
.skip:focus { left: 0; z-index: 10; }
header.site { background: var(--brand); color: var(--brand-ink); }
header.site .bar { max-width: 68rem; margin: 0 auto; padding: .75rem 1rem; display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
header.site a { color: var(--brand-ink); }
header.site .name { font-weight: 700; font-size: 1.2rem; text-decoration: none; }
header.site nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
header.site .lang { margin-left: auto; }
header.site form.logout button { background: #fff; color: var(--brand); border-color: #fff; padding: .25rem .75rem; }
main { max-width: 68rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.75rem; margin: .5rem 0 1rem; }
.lead { color: var(--muted); max-width: 48rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem; }
.meta { color: var(--muted); font-size: .95rem; margin: .25rem 0; }
form.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; margin: 1rem 0; }
form.filters div { display: flex; flex-direction: column; }
label { font-weight: 600; }
input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid #6b7785; border-radius: 4px; background: #fff; color: var(--ink); }
button, .button { background: var(--brand); color: var(--brand-ink); border-color: var(--brand); cursor: pointer; text-decoration: none; display: inline-block; padding: .5rem 1rem; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
dt { font-weight: 600; }
th, td { border: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
footer.site { border-top: 1px solid var(--line); color: var(--muted); }
footer.site p { max-width: 68rem; margin: 0 auto; padding: 1rem; }
`);

// Sessions end after 20 idle minutes; two minutes before, the page says so.
const IDLE_SCRIPT = "setTimeout(function(){var w=document.getElementById('idle-warning');if(w)w.hidden=false;},18*60*1000);";

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
<style>${STYLE}</style>
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
${input.signedIn ? html`<script>${raw(IDLE_SCRIPT)}</script>` : ''}
<footer class="site"><p>${t('footerPrivacy')}</p></footer>
</body>
</html>
`;
}
