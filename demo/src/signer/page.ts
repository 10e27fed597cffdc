// The signer's own page at GET /: which card is in the reader, and (the demo's stand-in for putting a
// card in) a choice of the synthetic citizens' cards. Cards are named by short number and masked ID.
import { escapeHtml } from '@openmydata/protocol';
import type { CitizenCard } from '../ca/index.ts';
import { cardLabel } from './card-label.ts';

export function readerPage(cards: readonly CitizenCard[], inserted: CitizenCard | undefined, hubOrigin: string): string {
  const options = cards
    .map((card) => `<option value="${escapeHtml(card.id)}"${card === inserted ? ' selected' : ''}>${escapeHtml(cardLabel(card))}</option>`)
    .join('\n');
  return `<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenMyData 示範讀卡簽章元件 · Demo card signer</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; color: #1a1a1a; }
.card { border: 1px solid #c9d3de; border-radius: 6px; padding: 1rem; font-variant-numeric: tabular-nums; }
select, button { font: inherit; padding: .4rem .6rem; }
</style>
</head>
<body>
<main>
<h1>示範讀卡簽章元件 <span lang="en">Demo card signer</span></h1>
<p>此元件僅於本機執行，只為 <code>${escapeHtml(hubOrigin)}</code> 簽署登入驗證碼。
<span lang="en">Runs on this computer only and signs sign-in challenges for <code>${escapeHtml(hubOrigin)}</code> alone.</span></p>
<h2>讀卡機中的卡片 <span lang="en">Card in the reader</span></h2>
<p class="card">${inserted ? escapeHtml(cardLabel(inserted)) : '（無卡片）<span lang="en">(no card)</span>'}</p>
<h2>插入另一張示範卡片 <span lang="en">Insert another demo card</span></h2>
<form method="post" action="/insert">
<p><label for="card">合成民眾的自然人憑證 <span lang="en">A synthetic citizen's card</span></label><br>
<select id="card" name="card"><option value="">（取出卡片 / take the card out）</option>
${options}
</select></p>
<p><button type="submit">插入 <span lang="en">Insert</span></button></p>
</form>
</main>
</body>
</html>
`;
}
