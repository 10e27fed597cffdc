import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundledCjkFont, findCjkFont, renderPdf, type FieldSpec, type RenderPdfInput } from '../src/index.ts';
import { findCjkFontIn, findFallbackFontIn, SYSTEM_CJK_FONTS } from '../src/font.ts';
import { formatDate, formatValue, rocDate } from '../src/format.ts';
import { solidPngBase64 } from './fixtures.ts';

const fields: FieldSpec[] = [
  { id: 'name', name: { 'zh-TW': '姓名', en: 'Name' }, type: 'string' },
  { id: 'birth_date', name: { 'zh-TW': '出生日期', en: 'Date of birth' }, type: 'date' },
  { id: 'income', name: { 'zh-TW': '所得總額', en: 'Total income' }, type: 'number' },
  { id: 'insured', name: { 'zh-TW': '是否投保', en: 'Insured' }, type: 'boolean' },
  { id: 'address', name: { 'zh-TW': '戶籍地址', en: 'Registered address' }, type: 'string' },
];

function input(records: RenderPdfInput['records'], extraFields: FieldSpec[] = []): RenderPdfInput {
  return {
    agencyName: { 'zh-TW': '財政部財政資訊中心', en: 'Fiscal Information Agency' },
    datasetName: { 'zh-TW': '個人所得資料', en: 'Personal income' },
    fields: [...fields, ...extraFields],
    records,
    createdAt: new Date('2025-03-01T01:30:00Z'),
    transactionId: 'txn_0123456789abcdef',
  };
}

const record = (i: number) => ({
  name: `測試人員${i}`,
  birth_date: '1990-05-17',
  income: 654321 + i,
  insured: i % 2 === 0,
  address: '臺北市中正區重慶南路一段122號',
});

/** Page objects in the PDF (not the /Pages tree node). */
const pageCount = (pdf: Buffer): number => (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;

describe('renderPdf', () => {
  it('writes a PDF with a subset of the Traditional Chinese font embedded and names-only metadata', async () => {
    const pdf = await renderPdf(input([record(1)]));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = pdf.toString('latin1');
    // A subset (six-letter tag) of the system's Noto Sans CJK TC or of the npm Noto Sans TC.
    assert.match(text, /\/BaseFont \/[A-Z]{6}\+(NotoSansCJKtc|NotoSansTC)-Regular/);
    assert.match(text, /\/MediaBox \[0 0 595\.28 841\.89\]/, 'A4');
    assert.ok(text.includes('(OpenMyData provider SDK)'), 'Creator names the SDK');
    // Content streams are compressed, and the metadata holds names only: the records appear nowhere in plain bytes.
    assert.equal(text.includes('Registered address'), false);
    assert.equal(text.includes('1990-05-17'), false);
  });

  it('is deterministic for the same input', async () => {
    const a = await renderPdf(input([record(1), record(2)]));
    const b = await renderPdf(input([record(1), record(2)]));
    assert.ok(a.equals(b));
  });

  it('gives the same bytes after other documents as first in a fresh process (what the font keeps between documents changes nothing)', async () => {
    const doc = input([record(7), { ...record(8), name: '測試 人員 Name 8' }]);
    // Documents sharing its wording, and one whose record values are that wording, render before it here.
    await renderPdf(input([record(1)]));
    await renderPdf({ ...input([{ name: 'Registered address 個人所得資料', address: '所得總額' }]), fields: fields.slice(0, 1) });
    const here = await renderPdf(doc);
    const script = `
      import { renderPdf } from './src/index.ts';
      const input = ${JSON.stringify(doc)};
      const pdf = await renderPdf({ ...input, createdAt: new Date(input.createdAt) });
      process.stdout.write(pdf.toString('base64'));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(here.equals(Buffer.from(run.stdout, 'base64')));
  });

  it('breaks pages for many records', async () => {
    assert.equal(pageCount(await renderPdf(input([record(1)]))), 1);
    assert.ok(pageCount(await renderPdf(input(Array.from({ length: 30 }, (_, i) => record(i))))) >= 8);
  });

  it('keeps a certificate-length record (fourteen fields) on one page, with no field left alone on a next page', async () => {
    const many: FieldSpec[] = Array.from({ length: 14 }, (_, i) => ({
      id: `f${i}`,
      name: { 'zh-TW': `欄位名稱${i}`, en: `Field name number ${i} (TWD)` },
      type: 'number',
    }));
    const pdf = await renderPdf({ ...input([]), fields: many, records: [Object.fromEntries(many.map((f, i) => [f.id, 1000 * i]))] });
    assert.equal((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length, 1);
  });

  it('embeds image fields as images, and survives a value that is not an image', async () => {
    const photo: FieldSpec = { id: 'photo', name: { 'zh-TW': '相片', en: 'Photo' }, type: 'image' };
    const pdf = await renderPdf(input([{ ...record(1), photo: solidPngBase64(40, 50, [200, 30, 30]) }], [photo]));
    assert.match(pdf.toString('latin1'), /\/Subtype \/Image[\s\S]*\/Width 40[\s\S]*\/Height 50|\/Height 50[\s\S]*\/Width 40/);
    const withDataUrl = await renderPdf(input([{ ...record(1), photo: `data:image/png;base64,${solidPngBase64(4, 4, [0, 0, 0])}` }], [photo]));
    assert.match(withDataUrl.toString('latin1'), /\/Subtype \/Image/);
    const broken = await renderPdf(input([{ ...record(1), photo: 'bm90IGFuIGltYWdl' }], [photo]));
    assert.equal(broken.toString('latin1').includes('/Subtype /Image'), false);
  });

  it('renders empty data sets, nulls and fields the agency did not declare', async () => {
    assert.equal(pageCount(await renderPdf(input([]))), 1);
    const pdf = await renderPdf(input([{ name: null, undeclared: 'x', income: 0, insured: false }]));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  });
});

describe('findCjkFont', () => {
  const bundled = bundledCjkFont();
  const existing = join(import.meta.dirname, 'pdf.test.ts');

  it('has the npm Noto Sans TC installed with the SDK', () => {
    assert.ok(bundled, 'the dependency @expo-google-fonts/noto-sans-tc resolves');
    assert.match(bundled, /NotoSansTC_400Regular\.ttf$/);
  });

  it('finds a font here, the npm one when system tools are hidden', () => {
    const found = findCjkFont();
    if (process.env.OMD_IGNORE_SYSTEM_TOOLS === '1' && !process.env.OMD_CJK_FONT) assert.equal(found, bundled);
    else assert.match(found, /NotoSans(CJK|TC)/);
  });

  it('prefers OMD_CJK_FONT, then the npm font, then a system font; a system font is the fallback unless the operator chose', () => {
    assert.equal(findCjkFontIn({ override: existing, system: SYSTEM_CJK_FONTS, bundled }), existing);
    assert.equal(findCjkFontIn({ override: undefined, system: ['/nonexistent/NotoSansCJK-Regular.ttc', existing], bundled }), bundled);
    assert.equal(findCjkFontIn({ override: '', system: ['/nonexistent/NotoSansCJK-Regular.ttc'], bundled }), bundled);
    assert.equal(findCjkFontIn({ override: undefined, system: ['/nonexistent/NotoSansCJK-Regular.ttc', existing], bundled: undefined }), existing);
    const places = { override: undefined, system: ['/nonexistent/NotoSansCJK-Regular.ttc', existing], bundled };
    assert.equal(findFallbackFontIn(places, bundled as string), existing);
    assert.equal(findFallbackFontIn({ ...places, override: existing }, existing), undefined, 'the operator’s font has no fallback');
    assert.equal(findFallbackFontIn({ ...places, system: [] }, bundled as string), undefined);
  });

  it('sets a document with a character the npm font lacks (CJK Extension A) in the system font when there is one', () => {
    // A process of its own: fonts are loaded once per process.
    const script = `
      import { renderPdf } from './src/index.ts';
      const input = ${JSON.stringify(input([record(1)]))};
      const baseFont = (pdf) => /\\/BaseFont \\/[A-Z]{6}\\+([\\w-]+)/.exec(pdf.toString('latin1'))?.[1];
      const plain = await renderPdf({ ...input, createdAt: new Date(input.createdAt) });
      const rare = await renderPdf({ ...input, createdAt: new Date(input.createdAt), records: [{ ...input.records[0], name: '王㐀明' }] });
      const again = await renderPdf({ ...input, createdAt: new Date(input.createdAt) });
      process.stdout.write(JSON.stringify([baseFont(plain), baseFont(rare), baseFont(again)]));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.OMD_CJK_FONT;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const systemFont = process.env.OMD_IGNORE_SYSTEM_TOOLS !== '1' && SYSTEM_CJK_FONTS.some((path) => existsSync(path));
    assert.deepEqual(JSON.parse(run.stdout), ['NotoSansTC-Regular', systemFont ? 'NotoSansCJKtc-Regular' : 'NotoSansTC-Regular', 'NotoSansTC-Regular']);
  });

  it('names the npm package and the variable when nothing is found, and the variable when the override is wrong', () => {
    assert.throws(
      () => findCjkFontIn({ override: undefined, system: ['/nonexistent/NotoSansCJK-Regular.ttc'], bundled: undefined }),
      /noto-sans-tc.*OMD_CJK_FONT/s,
    );
    assert.throws(() => findCjkFontIn({ override: undefined, system: [], bundled: '/nonexistent/NotoSansTC_400Regular.ttf' }), /npm install/);
    assert.throws(() => findCjkFontIn({ override: '/nonexistent/font.otf', system: [], bundled }), /OMD_CJK_FONT names \/nonexistent\/font\.otf/);
  });

  it('with OMD_IGNORE_SYSTEM_TOOLS=1 renders with the npm font whatever the system has', () => {
    // A process of its own: the font is loaded once per process.
    const script = `
      import { findCjkFont, renderPdf } from './src/index.ts';
      const input = ${JSON.stringify(input([record(1)]))};
      const pdf = await renderPdf({ ...input, createdAt: new Date(input.createdAt) });
      process.stdout.write(JSON.stringify({ font: findCjkFont(), baseFont: /\\/BaseFont \\/[A-Z]{6}\\+([\\w-]+)/.exec(pdf.toString('latin1'))?.[1] }));
    `;
    const env: NodeJS.ProcessEnv = { ...process.env, OMD_IGNORE_SYSTEM_TOOLS: '1' };
    delete env.OMD_CJK_FONT;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { font: bundled, baseFont: 'NotoSansTC-Regular' });
  });
});

describe('date formatting', () => {
  it('gives ROC (民國) years, with 民國前 before 1912', () => {
    assert.equal(rocDate(2024, 3, 5), '民國 113 年 3 月 5 日');
    assert.equal(rocDate(1912, 1, 1), '民國 1 年 1 月 1 日');
    assert.equal(rocDate(1911, 12, 31), '民國前 1 年 12 月 31 日');
  });

  it('shows ISO and ROC together, and leaves other text alone', () => {
    assert.equal(formatDate('2024-03-05'), '2024-03-05（民國 113 年 3 月 5 日）');
    assert.equal(formatDate('2024-03-05T10:00:00+08:00'), '2024-03-05T10:00:00+08:00（民國 113 年 3 月 5 日）');
    assert.equal(formatDate('unknown'), 'unknown');
  });

  it('writes a year as 民國 with the Gregorian year beside it, never grouped; amounts grouped', () => {
    assert.equal(formatValue(2025, 'year'), '民國114年（2025）');
    assert.equal(formatValue(1234567, 'number'), '1,234,567');
  });
});
