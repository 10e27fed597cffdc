// Turns a Notice into the words of an email: subject, plain text and a simple HTML part, in the
// person's language with the other language below. Only what the Notice carries goes in (names of
// data sets, agencies and the recipient, the time, the history link), so no personal data can.
import type { Notice, NoticeKind, NoticeLang } from './notice.ts';
import { escapeHtml, taipeiClock } from '@openmydata/protocol';

export interface ComposedNotice {
  subject: string;
  text: string;
  html: string;
}

interface Wording {
  subject(recipient: string): string;
  lead(time: string, recipient: string): string;
  datasetLine(name: string, agency: string): string;
  /** The confirmation code line (counter_confirmation), and what to do with the code. */
  code?(code: string, minutes: number): string;
  notYou?: string;
  neverAsks?: string;
}

interface Language {
  htmlLang: string;
  someone: Record<Exclude<NoticeKind, 'download'>, string>;
  kinds: Record<NoticeKind, Wording>;
  time(at: Date): string;
  notYou: string;
  neverAsks: string;
  automatic: string;
}

const BRAND = 'OpenMyData';

/** `2025-03-04 14:05` in Taiwan time (UTC+8 all year round: Taiwan keeps no daylight saving). */
export function taipeiTime(at: Date): string {
  return taipeiClock(at, { seconds: false });
}

const LANGUAGES: Record<NoticeLang, Language> = {
  'zh-TW': {
    htmlLang: 'zh-Hant-TW',
    someone: { transfer: '一項線上服務', counter_retrieval: '一個臨櫃機關', counter_confirmation: '一個臨櫃機關' },
    kinds: {
      download: {
        subject: () => `${BRAND}：您的資料已被下載`,
        lead: (time) => `有人以您的身分登入 ${BRAND}，於 ${time}下載了您的下列資料：`,
        datasetLine: (name, agency) => `${name}（${agency}）`,
      },
      transfer: {
        subject: (r) => `${BRAND}：您的資料已提供給「${r}」`,
        lead: (time, r) => `您的下列資料已於 ${time}經 ${BRAND} 提供給「${r}」：`,
        datasetLine: (name, agency) => `${name}（${agency}）`,
      },
      counter_retrieval: {
        subject: (r) => `${BRAND}：「${r}」已臨櫃調閱您的資料`,
        lead: (time, r) => `「${r}」的臨櫃人員已於 ${time}透過 ${BRAND} 調閱您的下列資料：`,
        datasetLine: (name, agency) => `${name}（${agency}）`,
      },
      counter_confirmation: {
        subject: (r) => `${BRAND}：「${r}」臨櫃調閱確認碼`,
        lead: (time, r) => `「${r}」的臨櫃人員於 ${time}掃描了您的條碼，要調閱您的下列資料：`,
        datasetLine: (name, agency) => `${name}（${agency}）`,
        code: (code, minutes) => `確認碼：${code}（${minutes} 分鐘內有效）。如果您正在櫃檯前，請將確認碼告訴臨櫃人員。`,
        notYou: '如果您不在櫃檯前，請勿將確認碼告訴任何人，並查看您的使用紀錄：',
        neverAsks: '確認碼只告訴您面前的臨櫃人員；OpenMyData 不會以電話或電子郵件向您索取。',
      },
    },
    time: (at) => `${taipeiTime(at)}（臺灣時間）`,
    notYou: '如果這不是您本人的操作，請立即聯絡 OpenMyData 客服中心，並查看您的使用紀錄：',
    neverAsks: 'OpenMyData 不會以電子郵件向您索取密碼、身分證字號或驗證碼。',
    automatic: '本信由系統自動寄出，請勿直接回覆。',
  },
  en: {
    htmlLang: 'en',
    someone: { transfer: 'an online service', counter_retrieval: 'an agency counter', counter_confirmation: 'an agency counter' },
    kinds: {
      download: {
        subject: () => `${BRAND}: your data was downloaded`,
        lead: (time) => `On ${time}, someone signed in to ${BRAND} as you and downloaded the following data about you:`,
        datasetLine: (name, agency) => `${name} (${agency})`,
      },
      transfer: {
        subject: (r) => `${BRAND}: your data was sent to ${r}`,
        lead: (time, r) => `On ${time}, ${BRAND} sent the following data about you to ${r}:`,
        datasetLine: (name, agency) => `${name} (${agency})`,
      },
      counter_retrieval: {
        subject: (r) => `${BRAND}: ${r} retrieved your data at a counter`,
        lead: (time, r) => `On ${time}, counter staff of ${r} retrieved the following data about you through ${BRAND}:`,
        datasetLine: (name, agency) => `${name} (${agency})`,
      },
      counter_confirmation: {
        subject: (r) => `${BRAND}: confirmation code for ${r}`,
        lead: (time, r) => `On ${time}, counter staff of ${r} scanned your code to open the following data about you:`,
        datasetLine: (name, agency) => `${name} (${agency})`,
        code: (code, minutes) => `Confirmation code: ${code} (works for ${minutes} minutes). If you are at the counter, tell it to the clerk.`,
        notYou: 'If you are not at a counter, tell this code to nobody and check your usage history:',
        neverAsks: 'Tell the code only to the clerk in front of you; OpenMyData never asks for it by phone or email.',
      },
    },
    time: (at) => `${taipeiTime(at)} Taiwan time (UTC+8)`,
    notYou: 'If this was not you, contact the OpenMyData service desk right away and check your usage history:',
    neverAsks: 'OpenMyData never asks for your password, national ID number or a confirmation code by email.',
    automatic: 'This message was sent automatically; please do not reply to it.',
  },
};

/** Registry names are trusted, but a stray line break must never reach a header or reshape the text. */
function clean(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : char;
  }
  return out.replace(/\s+/g, ' ').trim();
}

interface Section {
  lang: Language;
  subject: string;
  lead: string;
  datasets: string[];
  code: string | undefined;
  notYou: string;
  neverAsks: string;
}

function section(notice: Notice, lang: NoticeLang): Section {
  const language = LANGUAGES[lang];
  const wording = language.kinds[notice.kind];
  const recipient = notice.kind === 'download' ? '' : clean(notice.recipient?.[lang] ?? '') || language.someone[notice.kind];
  return {
    lang: language,
    subject: wording.subject(recipient),
    lead: wording.lead(language.time(notice.at), recipient),
    datasets: notice.datasets.map((d) => wording.datasetLine(clean(d.name[lang]), clean(d.agency[lang]))),
    code: wording.code && notice.confirmation ? wording.code(notice.confirmation.code, notice.confirmation.validMinutes) : undefined,
    notYou: wording.notYou ?? language.notYou,
    neverAsks: wording.neverAsks ?? language.neverAsks,
  };
}

function textSection(s: Section, historyUrl: string): string {
  return [s.lead, '', ...s.datasets.map((d) => `  - ${d}`), '', ...(s.code ? [s.code, ''] : []), s.notYou, historyUrl, '', s.neverAsks, s.lang.automatic].join(
    '\n',
  );
}

function htmlSection(s: Section, historyUrl: string): string {
  const url = escapeHtml(historyUrl);
  return `<div lang="${s.lang.htmlLang}">
<p>${escapeHtml(s.lead)}</p>
<ul>
${s.datasets.map((d) => `<li>${escapeHtml(d)}</li>`).join('\n')}
</ul>
${s.code ? `<p style="font-size:1.4em"><strong>${escapeHtml(s.code)}</strong></p>\n` : ''}<p><strong>${escapeHtml(s.notYou)}</strong><br><a href="${url}">${url}</a></p>
<p style="color:#555555">${escapeHtml(s.neverAsks)}<br>${escapeHtml(s.lang.automatic)}</p>
</div>`;
}

export class NoticeError extends Error {
  override readonly name = 'NoticeError';
}

/** Throws NoticeError when the notice cannot be put into words (the notifier catches it). */
export function composeNotice(notice: Notice): ComposedNotice {
  if (!(notice.at instanceof Date) || Number.isNaN(notice.at.getTime())) throw new NoticeError('at is not a valid date');
  if (!LANGUAGES[notice.lang]) throw new NoticeError('lang is not zh-TW or en');
  if (!LANGUAGES.en.kinds[notice.kind]) throw new NoticeError('kind is not download, transfer, counter_retrieval or counter_confirmation');
  if (notice.kind === 'counter_confirmation' && !/^\d{6}$/.test(notice.confirmation?.code ?? '')) throw new NoticeError('confirmation code is not 6 digits');
  if (notice.datasets.length === 0) throw new NoticeError('datasets is empty');
  let historyUrl: string;
  try {
    const url = new URL(notice.historyUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    historyUrl = url.href;
  } catch {
    throw new NoticeError('historyUrl is not an http(s) URL');
  }
  const other: NoticeLang = notice.lang === 'en' ? 'zh-TW' : 'en';
  const first = section(notice, notice.lang);
  const second = section(notice, other);
  const text = `${textSection(first, historyUrl)}\n\n----------\n\n${textSection(second, historyUrl)}\n`;
  const html = `<!DOCTYPE html>
<html lang="${first.lang.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(first.subject)}</title>
</head>
<body style="font-family:system-ui,sans-serif;line-height:1.6;color:#1b1b1b">
${htmlSection(first, historyUrl)}
<hr>
${htmlSection(second, historyUrl)}
</body>
</html>
`;
  return { subject: `${first.subject} / ${second.subject}`, text, html };
}
