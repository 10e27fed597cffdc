// The demo outbox's pages: server-rendered, no JavaScript, Traditional Chinese first with English
// alongside, landmarks and a captioned table, every control labelled.
import type { SinkMessage } from './mail-sink.ts';
import { taipeiClock } from '@openmydata/protocol';
import { type Bilingual, both, demoPage, escapeHtml, styleHash } from '../demo-page.ts';

const STYLES = `
:root{color-scheme:light;font-family:"Noto Sans TC","Noto Sans CJK TC","PingFang TC","Microsoft JhengHei",system-ui,sans-serif;line-height:1.6;color:#1b1b1b;background:#f3f5f7}
body{margin:0}
header,main,footer{max-width:60rem;margin:0 auto;padding:1rem 1.25rem}
header{border-bottom:4px solid #00557f}
.brand{font-size:1.25rem;font-weight:700;margin:0;color:#00405f}
.demo{margin:.5rem 0 0;padding:.5rem .75rem;background:#fff4ce;border:1px solid #8a6d00;color:#3d3000}
main{background:#fff;margin-top:1rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4rem;line-height:1.4}
.en{display:block;color:#3a3a3a;font-size:.95em}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:700;padding:.25rem 0 .5rem}
th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid #c4c4c4}
th .en{display:inline;font-weight:400}
a{color:#00557f}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;background:#f7f7f7;border:1px solid #c4c4c4;padding:1rem;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:700}
dd{margin:0;overflow-wrap:anywhere}
.actions{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
button{font:inherit;padding:.45rem 1rem;border-radius:4px;border:2px solid #00557f;background:#fff;color:#00405f;cursor:pointer}
:focus-visible{outline:3px solid #c75000;outline-offset:2px}
footer{font-size:.9rem;color:#3a3a3a}
`;

/** For the Content-Security-Policy: the one inline style block, allowed by its hash. */
export const STYLE_HASH = styleHash(STYLES);

function layout(title: Bilingual, body: string): string {
  return demoPage({
    title,
    brand: { zh: 'OpenMyData 示範郵件', en: 'Demo mail' },
    notice: {
      zh: '這是示範用的本機收件匣：平臺寄出的通知信都留在這裡，不會寄到外部，也只存在記憶體中。',
      en: "The demo's local mailbox: notices the platform sends stay here, go nowhere else, and live in memory only.",
    },
    styles: STYLES,
    body,
    mainId: 'main',
  });
}

export function outboxPage(messages: readonly SinkMessage[]): string {
  const rows = messages
    .map(
      (m) => `<tr>
<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(無主旨 no subject)')}</a></td>
<td>${escapeHtml(m.to.join(', '))}</td>
<td><time datetime="${escapeHtml(m.receivedAt)}">${escapeHtml(taipeiClock(new Date(m.receivedAt)))}</time></td>
</tr>`,
    )
    .join('\n');
  const list =
    messages.length === 0
      ? `<p>目前沒有信件。<span lang="en" class="en">No messages yet.</span></p>`
      : `<table>
<caption>${both({ zh: `最新的在最上面，共 ${messages.length} 封`, en: `Newest first, ${messages.length} in all` })}</caption>
<thead><tr><th scope="col">主旨 <span lang="en" class="en">Subject</span></th><th scope="col">收件人 <span lang="en" class="en">To</span></th><th scope="col">時間（臺灣） <span lang="en" class="en">Time (Taiwan)</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return layout(
    { zh: '示範收件匣', en: 'Demo outbox' },
    `<h1>${both({ zh: '示範收件匣', en: 'Demo outbox' })}</h1>
<div class="actions">
<a href="/">${both({ zh: '重新整理', en: 'Refresh' })}</a>
${messages.length === 0 ? '' : `<form method="post" action="/clear"><button type="submit">${both({ zh: '清除全部信件', en: 'Delete all messages' })}</button></form>`}
</div>
${list}`,
  );
}

/** Plain text with its http(s) links made clickable; everything else escaped. */
function linkify(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const index = match.index ?? 0;
    out.push(escapeHtml(text.slice(last, index)));
    const url = escapeHtml(match[0]);
    out.push(`<a href="${url}" rel="noreferrer">${url}</a>`);
    last = index + match[0].length;
  }
  out.push(escapeHtml(text.slice(last)));
  return out.join('');
}

export function messagePage(message: SinkMessage): string {
  return layout(
    { zh: message.subject || '信件', en: 'Message' },
    `<p><a href="/">${both({ zh: '← 回到收件匣', en: '← Back to the outbox' })}</a></p>
<h1>${escapeHtml(message.subject || '(無主旨 no subject)')}</h1>
<dl>
<dt>寄件人 <span lang="en">From</span></dt><dd>${escapeHtml(message.from)}</dd>
<dt>收件人 <span lang="en">To</span></dt><dd>${escapeHtml(message.to.join(', '))}</dd>
<dt>時間（臺灣） <span lang="en">Time (Taiwan)</span></dt><dd><time datetime="${escapeHtml(message.receivedAt)}">${escapeHtml(taipeiClock(new Date(message.receivedAt)))}</time></dd>
</dl>
<h2>${both({ zh: '內文（純文字）', en: 'Text' })}</h2>
<pre>${linkify(message.text)}</pre>`,
  );
}

export function notFoundPage(): string {
  return layout(
    { zh: '找不到信件', en: 'Message not found' },
    `<h1>${both({ zh: '找不到這封信', en: 'Message not found' })}</h1>
<p>${both({ zh: '它可能已被清除，或收件匣已超過 200 封而刪除了較舊的信。', en: 'It may have been deleted, or dropped as the outbox keeps the last 200 messages only.' })}</p>
<p><a href="/">${both({ zh: '回到收件匣', en: 'Back to the outbox' })}</a></p>`,
  );
}
