// The signer's own page at GET /: the card slots, for a person checking that the helper is running.
import type { CitizenCard } from '../ca/index.ts';
import { escapeHtml } from '@openmydata/protocol';
import { cardLabel } from './card-label.ts';

export function slotsPage(cards: readonly CitizenCard[], hubOrigin: string): string {
  const rows = cards.map((card, i) => `<li><span class="slot">${i + 1}</span> ${escapeHtml(cardLabel(card))}</li>`).join('\n');
  return `<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenMyData 示範讀卡簽章元件 · Demo card signer</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; color: #1a1a1a; }
.slot { display: inline-block; min-width: 2.5rem; color: #555; }
li { padding: .25rem 0; font-variant-numeric: tabular-nums; }
ol { list-style: none; padding: 0; }
</style>
</head>
<body>
<main>
<h1>示範讀卡簽章元件 <span lang="en">Demo card signer</span></h1>
<p>此元件僅於本機執行，只為 <code>${escapeHtml(hubOrigin)}</code> 簽署登入驗證碼；請回到登入頁選擇憑證。
<span lang="en">Runs on this computer only and signs sign-in challenges for <code>${escapeHtml(hubOrigin)}</code> alone; choose your card on the sign-in page.</span></p>
<h2>卡片插槽 <span lang="en">Card slots</span> (${cards.length})</h2>
<ol>
${rows}
</ol>
</main>
</body>
</html>
`;
}
