// The page frame of the demo's own services (mock mobile ID, mail outbox): Traditional Chinese
// with English beside it, one inline style block the pages' CSP allows by hash.
import { createHash } from 'node:crypto';
import { escapeHtml } from '@openmydata/protocol';

export { escapeHtml };

export interface Bilingual {
  zh: string;
  en: string;
}

/** Chinese, then the English in a span marked as English. */
export function both(text: Bilingual): string {
  return `${escapeHtml(text.zh)} <span lang="en" class="en">${escapeHtml(text.en)}</span>`;
}

/** For a page's Content-Security-Policy: its one inline style block, allowed by hash. */
export function styleHash(styles: string): string {
  return `sha256-${createHash('sha256').update(styles).digest('base64')}`;
}

export function demoPage(input: { title: Bilingual; brand: Bilingual; notice: Bilingual; styles: string; body: string; mainId?: string }): string {
  return `<!DOCTYPE html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(input.title.zh)} · ${escapeHtml(input.title.en)}</title>
<style>${input.styles}</style>
</head>
<body>
<header>
<p class="brand">${escapeHtml(input.brand.zh)} <span lang="en">${escapeHtml(input.brand.en)}</span></p>
<p class="demo">${both(input.notice)}</p>
</header>
<main${input.mainId ? ` id="${escapeHtml(input.mainId)}"` : ''}>
${input.body}
</main>
<footer><p>${both({ zh: '只使用合成的示範資料。', en: 'Synthetic demo data only.' })}</p></footer>
</body>
</html>
`;
}
