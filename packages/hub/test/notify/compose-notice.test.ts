import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeNotice, type Notice, NoticeError, taipeiTime } from '../../src/notify/index.ts';

const base: Notice = {
  to: 'citizen@example.test',
  lang: 'zh-TW',
  kind: 'transfer',
  // 16:30 UTC is half past midnight of the next day in Taipei.
  at: new Date('2025-03-04T16:30:00Z'),
  datasets: [
    {
      name: { 'zh-TW': '個人戶籍資料', en: 'Household registration (personal)' },
      agency: { 'zh-TW': '內政部戶政司', en: 'Department of Household Registration' },
    },
    {
      name: { 'zh-TW': '綜合所得稅各類所得資料', en: 'Income tax: income details' },
      agency: { 'zh-TW': '財政部財政資訊中心', en: 'Fiscal Information Agency' },
    },
  ],
  recipient: { 'zh-TW': '臺北市政府社會局', en: 'Taipei City Department of Social Welfare' },
  historyUrl: 'https://hub.example.org/history',
};

test('times are shown in Taiwan time', () => {
  assert.equal(taipeiTime(base.at), '2025-03-05 00:30');
  const { text } = composeNotice(base);
  assert.match(text, /2025-03-05 00:30（臺灣時間）/);
  assert.match(text, /2025-03-05 00:30 Taiwan time \(UTC\+8\)/);
});

test('the person’s language comes first, the other below, in subject, text and HTML', () => {
  const zh = composeNotice(base);
  assert.match(zh.subject, /^OpenMyData：您的資料已提供給「臺北市政府社會局」 \/ OpenMyData: your data was sent to Taipei City Department of Social Welfare$/);
  assert.ok(zh.text.indexOf('您的下列資料') < zh.text.indexOf('the following data'));
  assert.match(zh.html, /<html lang="zh-Hant-TW">/);
  assert.ok(zh.html.indexOf('<div lang="zh-Hant-TW">') < zh.html.indexOf('<div lang="en">'));

  const en = composeNotice({ ...base, lang: 'en' });
  assert.match(en.subject, /^OpenMyData: your data was sent to Taipei City Department of Social Welfare \/ OpenMyData：/);
  assert.ok(en.text.indexOf('the following data') < en.text.indexOf('您的下列資料'));
  assert.match(en.html, /<html lang="en">/);
  assert.ok(en.html.indexOf('<div lang="en">') < en.html.indexOf('<div lang="zh-Hant-TW">'));
});

test('each kind says what happened and to whom', () => {
  const download = composeNotice({ ...base, kind: 'download', recipient: undefined });
  assert.match(download.subject, /您的資料已被下載 \/ OpenMyData: your data was downloaded$/);
  assert.match(download.text, /downloaded the following data/);

  const counter = composeNotice({ ...base, kind: 'counter_retrieval', recipient: { 'zh-TW': '新北市板橋區公所', en: 'Banqiao District Office' } });
  assert.match(counter.subject, /「新北市板橋區公所」已臨櫃調閱您的資料/);
  assert.match(counter.text, /counter staff of Banqiao District Office retrieved/);

  const unnamed = composeNotice({ ...base, recipient: undefined });
  assert.match(unnamed.subject, /一項線上服務/);
  assert.match(unnamed.subject, /an online service/);
});

test('every data set and agency is listed in both languages, with the history link and the warning', () => {
  const { text, html } = composeNotice(base);
  for (const d of base.datasets) {
    for (const part of [d.name['zh-TW'], d.name.en, d.agency['zh-TW'], d.agency.en]) {
      assert.ok(text.includes(part), part);
      assert.ok(html.includes(part), part);
    }
  }
  assert.equal(text.split('https://hub.example.org/history').length - 1, 2);
  assert.match(html, /<a href="https:\/\/hub\.example\.org\/history">/);
  assert.match(text, /如果這不是您本人的操作，請立即聯絡 OpenMyData 客服中心/);
  assert.match(text, /If this was not you, contact the OpenMyData service desk/);
});

test('the address never appears in the body, and names cannot inject headers or markup', () => {
  const hostile: Notice = {
    ...base,
    recipient: { 'zh-TW': '服務\r\nBcc: x@example.org', en: '<script>alert(1)</script>' },
  };
  const { subject, text, html } = composeNotice(hostile);
  assert.equal(/[\r\n]/.test(subject), false);
  assert.equal(html.includes('<script>'), false);
  assert.match(html, /&#60;script&#62;/);
  assert.equal(text.includes(base.to), false);
  assert.equal(html.includes(base.to), false);
});

test('a notice that cannot be put into words is refused', () => {
  assert.throws(() => composeNotice({ ...base, at: new Date('nonsense') }), NoticeError);
  assert.throws(() => composeNotice({ ...base, historyUrl: 'javascript:alert(1)' }), NoticeError);
  assert.throws(() => composeNotice({ ...base, historyUrl: '/history' }), NoticeError);
  assert.throws(() => composeNotice({ ...base, datasets: [] }), NoticeError);
});
