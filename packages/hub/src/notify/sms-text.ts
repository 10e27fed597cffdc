// The words of a notice as one short SMS, in the person's language only (a text message is paid
// per segment): what happened, who, when, and the history link; for a confirmation, the code first.
// Only what the Notice carries goes in, so no personal data can.
import { NoticeError, taipeiTime } from './compose-notice.ts';
import type { Notice } from './notice.ts';

const BRAND = 'OpenMyData';

export function composeSms(notice: Notice): string {
  if (!(notice.at instanceof Date) || Number.isNaN(notice.at.getTime())) throw new NoticeError('at is not a valid date');
  if (notice.lang !== 'zh-TW' && notice.lang !== 'en') throw new NoticeError('lang is not zh-TW or en');
  if (notice.datasets.length === 0) throw new NoticeError('datasets is empty');
  const zh = notice.lang === 'zh-TW';
  const time = taipeiTime(notice.at);
  const count = notice.datasets.length;
  const who = notice.recipient?.[notice.lang] ?? (zh ? '一個臨櫃機關' : 'a counter office');
  switch (notice.kind) {
    case 'counter_confirmation': {
      const code = notice.confirmation?.code ?? '';
      if (!/^\d{6}$/.test(code)) throw new NoticeError('confirmation code is not 6 digits');
      const minutes = notice.confirmation?.validMinutes ?? 2;
      return zh
        ? `${BRAND} 確認碼 ${code}（${minutes} 分鐘內有效）。「${who}」臨櫃人員要調閱您的 ${count} 項資料。若您不在櫃檯，請勿告知任何人。`
        : `${BRAND} confirmation code ${code} (valid ${minutes} min). A clerk at ${who} is about to open ${count} of your records. If you are not at the counter, tell no one.`;
    }
    case 'counter_retrieval':
      return zh
        ? `${BRAND}：「${who}」已於 ${time} 臨櫃調閱您的 ${count} 項資料。紀錄：${notice.historyUrl}`
        : `${BRAND}: ${who} opened ${count} of your records at the counter at ${time}. History: ${notice.historyUrl}`;
    case 'transfer':
      return zh
        ? `${BRAND}：您的 ${count} 項資料已於 ${time} 提供給「${who}」。紀錄：${notice.historyUrl}`
        : `${BRAND}: ${count} of your records went to ${who} at ${time}. History: ${notice.historyUrl}`;
    case 'download':
      return zh
        ? `${BRAND}：您的 ${count} 項資料已於 ${time} 被下載。紀錄：${notice.historyUrl}`
        : `${BRAND}: ${count} of your records were downloaded at ${time}. History: ${notice.historyUrl}`;
    default:
      throw new NoticeError('kind is not download, transfer, counter_retrieval or counter_confirmation');
  }
}
