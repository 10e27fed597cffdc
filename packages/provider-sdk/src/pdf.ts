// The human-readable data.pdf: A4, Traditional Chinese with English, one block of label/value rows per record.
import PDFDocument from 'pdfkit';
import { cjkFontFor } from './font.ts';
import { formatTaipeiTime, formatValue } from './format.ts';
import { decodeImage, type DecodedImage } from './image.ts';
import type { DatasetRecords, FieldSpec, LocalizedText } from './types.ts';

export interface RenderPdfInput {
  agencyName: LocalizedText;
  datasetName: LocalizedText;
  fields: FieldSpec[];
  records: DatasetRecords['records'];
  createdAt: Date;
  transactionId: string;
}

const FONT = 'cjk';
const MARGIN = { top: 56, bottom: 64, left: 50, right: 50 } as const;
const LABEL_WIDTH = 150;
const GAP = 14;
const ROW_PADDING = 4;
const IMAGE_MAX_HEIGHT = 180;
const INK = '#111111';
const MUTED = '#5f6368';
const RULE = '#d0d4d9';
const BAND = '#eef2f6';
const EMPTY = '本資料集目前沒有您的資料。 There are no records in this data set.';
const UNREADABLE_IMAGE = '（影像無法顯示 / image could not be shown）';
const FOOTER_ZH = '本文件由資料提供機關產製，並以套件內經數位簽章的清單（manifest）保護。';
const FOOTER_EN = 'Produced by the data provider; the signed manifest in the package protects it.';
const META_LABELS: ReadonlyArray<LocalizedText> = [
  { 'zh-TW': '產製時間', en: 'Generated' },
  { 'zh-TW': '交易編號', en: 'Transaction' },
  { 'zh-TW': '資料筆數', en: 'Records' },
];

type Doc = InstanceType<typeof PDFDocument>;

interface Row {
  label: LocalizedText;
  text?: string;
  image?: DecodedImage;
}

/** Renders the records as a PDF. Deterministic for the same input: no wall clock, no random ids. */
export async function renderPdf(input: RenderPdfInput): Promise<Buffer> {
  const font = cjkFontFor(documentText(input));
  const doc = new PDFDocument({
    size: 'A4',
    margins: { ...MARGIN },
    bufferPages: true,
    lang: 'zh-TW',
    displayTitle: true,
    info: {
      // Names only: nothing about the subject or the records goes into metadata.
      Title: `${input.datasetName['zh-TW']} ${input.datasetName.en}`,
      Author: `${input.agencyName['zh-TW']} ${input.agencyName.en}`,
      Creator: 'OpenMyData provider SDK',
      Producer: 'PDFKit',
      CreationDate: input.createdAt,
    },
  });
  const done = collect(doc);
  if (font.parsed) {
    font.parsed.fixedText(fixedWording(input));
    doc.registerFont(FONT, font.parsed as unknown as Buffer);
  } else doc.registerFont(FONT, font.bytes, font.postscriptName);
  doc.font(FONT);

  drawTitle(doc, input);
  if (input.records.length === 0) {
    doc
      .moveDown(1)
      .fontSize(11)
      .fillColor(MUTED)
      .text(EMPTY, { width: contentWidth(doc) });
  }
  for (const [index, record] of input.records.entries()) drawRecord(doc, input, rowsOf(input.fields, record), index);
  drawFooters(doc);
  doc.end();
  return done;
}

/** Every text the document sets (not image data), to choose a font that has all its characters. */
function documentText(input: RenderPdfInput): string {
  const images = new Set(input.fields.filter((field) => field.type === 'image').map((field) => field.id));
  const values: string[] = [];
  for (const record of input.records ?? []) {
    for (const [id, value] of Object.entries(record)) if (typeof value === 'string' && !images.has(id)) values.push(value);
  }
  return `${fixedWording(input)}\n${values.join('\n')}`;
}

/**
 * Everything the document says that is not about the person: the font shapes these words once per
 * process. Record values, the time and the transaction stay out, so they are never kept.
 */
function fixedWording(input: RenderPdfInput): string {
  const labels = [...META_LABELS, ...input.fields.map((field) => field.name)].flatMap((label) => [label['zh-TW'], label.en, `${label['zh-TW']} ${label.en}：`]);
  return [
    input.agencyName['zh-TW'],
    input.agencyName.en,
    input.datasetName['zh-TW'],
    input.datasetName.en,
    continuedHeading(input),
    ...labels,
    EMPTY,
    UNREADABLE_IMAGE,
    FOOTER_ZH,
    FOOTER_EN,
    '第 筆，共 筆 Record of 頁 Page Asia/Taipei',
  ].join('\n');
}

function continuedHeading(input: RenderPdfInput): string {
  return `${input.datasetName['zh-TW']}（續）  ${input.datasetName.en} (continued)`;
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function contentWidth(doc: Doc): number {
  return doc.page.width - MARGIN.left - MARGIN.right;
}

function pageBottom(doc: Doc): number {
  return doc.page.height - MARGIN.bottom;
}

function drawTitle(doc: Doc, input: RenderPdfInput): void {
  const width = contentWidth(doc);
  doc.fillColor(INK).fontSize(13).text(input.agencyName['zh-TW'], MARGIN.left, MARGIN.top, { width });
  doc.fillColor(MUTED).fontSize(9).text(input.agencyName.en, { width });
  doc.moveDown(0.6);
  doc.fillColor(INK).fontSize(20).text(input.datasetName['zh-TW'], { width });
  doc.fillColor(MUTED).fontSize(12).text(input.datasetName.en, { width });
  doc.moveDown(0.8);
  // Compact, so the records themselves get the page: one small line per fact.
  const values = [`${formatTaipeiTime(input.createdAt)} Asia/Taipei`, input.transactionId, String(input.records.length)];
  for (const [i, label] of META_LABELS.entries()) {
    const value = values[i] as string;
    doc.fillColor(MUTED).fontSize(8.5).text(`${label['zh-TW']} ${label.en}：`, MARGIN.left, doc.y, { width, continued: true });
    doc.fillColor(INK).text(value);
  }
  doc.moveDown(0.6);
  rule(doc, INK);
  doc.moveDown(0.8);
}

function rowsOf(fields: readonly FieldSpec[], record: DatasetRecords['records'][number]): Row[] {
  const rows: Row[] = fields.map((field) => {
    const value = record[field.id];
    if (field.type === 'image' && typeof value === 'string' && value !== '') {
      const image = decodeImage(value);
      return image ? { label: field.name, image } : { label: field.name, text: UNREADABLE_IMAGE };
    }
    return { label: field.name, text: formatValue(value, field.type) };
  });
  // Values the agency sent without declaring a field still belong to the person: show them by id.
  const known = new Set(fields.map((f) => f.id));
  for (const [id, value] of Object.entries(record)) {
    if (!known.has(id)) rows.push({ label: { 'zh-TW': id, en: id }, text: formatValue(value, 'string') });
  }
  return rows;
}

function drawRecord(doc: Doc, input: RenderPdfInput, rows: Row[], index: number): void {
  const bandHeight = 22;
  const first = rows[0];
  const whole = bandHeight + 6 + rows.reduce((sum, row) => sum + rowHeight(doc, row), 0);
  const fresh = pageBottom(doc) - MARGIN.top - 40;
  // A later record that would break across pages but fits on one starts on a new page; the first
  // keeps its place below the title. Either way the heading stays with its first row.
  const keepTogether = index > 0 && whole <= fresh && doc.y + whole > pageBottom(doc);
  ensureSpace(doc, input, keepTogether ? whole : bandHeight + 6 + (first ? rowHeight(doc, first) : 0));
  const top = doc.y;
  doc.rect(MARGIN.left, top, contentWidth(doc), bandHeight).fill(BAND);
  doc
    .fillColor(INK)
    .fontSize(10.5)
    .text(`第 ${index + 1} 筆，共 ${input.records.length} 筆`, MARGIN.left + 8, top + 5, { continued: true });
  doc
    .fillColor(MUTED)
    .fontSize(9)
    .text(`   Record ${index + 1} of ${input.records.length}`);
  doc.y = top + bandHeight + 4;
  const heights = rows.map((row) => rowHeight(doc, row));
  for (const [i, row] of rows.entries()) {
    // No widow: when only the last row would spill onto the next page, take the one before it along.
    const lastTwo = i === rows.length - 2 ? (heights[i] ?? 0) + (heights[i + 1] ?? 0) : 0;
    const spillsAlone = lastTwo > 0 && doc.y + (heights[i] ?? 0) <= pageBottom(doc) && doc.y + lastTwo > pageBottom(doc);
    ensureSpace(doc, input, spillsAlone ? lastTwo : (heights[i] ?? 0));
    drawRow(doc, row, true);
  }
  doc.moveDown(1);
}

function valueWidth(doc: Doc): number {
  return contentWidth(doc) - LABEL_WIDTH - GAP;
}

function imageBox(doc: Doc, image: DecodedImage): { width: number; height: number } {
  const scale = Math.min(valueWidth(doc) / image.width, IMAGE_MAX_HEIGHT / image.height, 1);
  return { width: image.width * scale, height: image.height * scale };
}

function labelHeight(doc: Doc, label: LocalizedText): number {
  const zh = doc.fontSize(10).heightOfString(label['zh-TW'], { width: LABEL_WIDTH });
  const en = doc.fontSize(8).heightOfString(label.en, { width: LABEL_WIDTH });
  return zh + en;
}

function rowHeight(doc: Doc, row: Row): number {
  const value = row.image ? imageBox(doc, row.image).height : doc.fontSize(10).heightOfString(row.text ?? '', { width: valueWidth(doc) });
  return Math.max(labelHeight(doc, row.label), value) + 2 * ROW_PADDING;
}

function drawRow(doc: Doc, row: Row, ruled: boolean): void {
  const page = doc.page;
  const top = doc.y + ROW_PADDING;
  const height = rowHeight(doc, row);
  const valueX = MARGIN.left + LABEL_WIDTH + GAP;
  doc.fillColor(INK).fontSize(10).text(row.label['zh-TW'], MARGIN.left, top, { width: LABEL_WIDTH });
  doc.fillColor(MUTED).fontSize(8).text(row.label.en, MARGIN.left, doc.y, { width: LABEL_WIDTH });
  if (row.image) {
    const box = imageBox(doc, row.image);
    doc.image(row.image.data, valueX, top, { width: box.width, height: box.height });
  } else {
    doc
      .fillColor(INK)
      .fontSize(10)
      .text(row.text ?? '', valueX, top, { width: valueWidth(doc) });
  }
  // A value longer than a page flows onto new pages by itself; then continue below where it ended.
  doc.y = doc.page === page ? top - ROW_PADDING + height : doc.y + ROW_PADDING;
  doc.x = MARGIN.left;
  if (ruled) rule(doc, RULE);
}

function rule(doc: Doc, color: string): void {
  doc
    .moveTo(MARGIN.left, doc.y)
    .lineTo(doc.page.width - MARGIN.right, doc.y)
    .lineWidth(0.5)
    .strokeColor(color)
    .stroke();
}

/** Starts a new page, headed with the data set name, when `height` no longer fits on this one. */
function ensureSpace(doc: Doc, input: RenderPdfInput, height: number): void {
  // Something taller than a whole page will flow across pages anyway: it only needs room to start.
  const needed = height > pageBottom(doc) - MARGIN.top - 60 ? 60 : height;
  if (doc.y + needed <= pageBottom(doc)) return;
  doc.addPage();
  doc
    .fillColor(MUTED)
    .fontSize(9)
    .text(continuedHeading(input), MARGIN.left, MARGIN.top, {
      width: contentWidth(doc),
    });
  doc.moveDown(0.6);
  rule(doc, RULE);
  doc.moveDown(0.6);
}

function drawFooters(doc: Doc): void {
  const range = doc.bufferedPageRange();
  const width = contentWidth(doc);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would make pdfkit open a new page; lift the margin while writing.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN.bottom + 18;
    doc.fillColor(MUTED).fontSize(7.5);
    doc.text(FOOTER_ZH, MARGIN.left, y, { width, lineBreak: false });
    doc.text(FOOTER_EN, MARGIN.left, y + 10, { width, lineBreak: false });
    doc.text(`第 ${i + 1} / ${range.count} 頁  Page ${i + 1} of ${range.count}`, MARGIN.left, y + 10, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = MARGIN.bottom;
  }
}
