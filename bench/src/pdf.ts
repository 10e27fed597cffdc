// PDF render cost per font: the SDK's budget is <= 10 ms of agency CPU per package, PDF included.
// Each font is measured in a process of its own, since the SDK loads its font once per process, and
// twice: as the SDK renders, and against a baseline of the same parsed face without what it shares
// across documents (shaped fixed wording, CFF subroutines), so the saving shows as a ratio.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bundledCjkFont, type FieldSpec, renderPdf, type RenderPdfInput } from '@openmydata/provider-sdk';
import { loadCjkFont, SYSTEM_CJK_FONTS } from '../../packages/provider-sdk/src/font.ts';

const RENDERS = 200;

const fields: FieldSpec[] = [
  { id: 'name', name: { 'zh-TW': '姓名', en: 'Name' }, type: 'string' },
  { id: 'birth_date', name: { 'zh-TW': '出生日期', en: 'Date of birth' }, type: 'date' },
  { id: 'address', name: { 'zh-TW': '戶籍地址', en: 'Registered address' }, type: 'string' },
  { id: 'year', name: { 'zh-TW': '所得年度', en: 'Income year' }, type: 'number' },
  { id: 'income', name: { 'zh-TW': '所得總額', en: 'Total income' }, type: 'number' },
  { id: 'tax', name: { 'zh-TW': '應納稅額', en: 'Tax payable' }, type: 'number' },
  { id: 'paid', name: { 'zh-TW': '已繳納', en: 'Paid' }, type: 'boolean' },
  { id: 'office', name: { 'zh-TW': '稽徵機關', en: 'Tax office' }, type: 'string' },
];

const document: RenderPdfInput = {
  agencyName: { 'zh-TW': '財政部財政資訊中心', en: 'Fiscal Information Agency' },
  datasetName: { 'zh-TW': '綜合所得稅納稅證明書', en: 'Income tax certificate' },
  fields,
  records: [
    {
      name: '王小明',
      birth_date: '1985-07-12',
      address: '臺北市中正區重慶南路一段122號',
      year: 2024,
      income: 1234567,
      tax: 45678,
      paid: true,
      office: '財政部臺北國稅局',
    },
  ],
  createdAt: new Date('2025-03-01T01:30:00Z'),
  transactionId: 'txn_0123456789abcdef',
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;

/** The baseline: the parsed face itself, shaping and subsetting every document from scratch. */
function unshareFace(): void {
  const font = loadCjkFont();
  if (font.parsed === undefined) return;
  const face = Object.getPrototypeOf(font.parsed) as object;
  font.parsed = Object.assign(Object.create(face) as object, { fixedText: () => {} });
}

interface Measured {
  firstMs: number;
  firstCpuMs: number;
  medianCpuMs: number;
  p95CpuMs: number;
  meanMs: number;
  bytes: number;
}

async function measure(): Promise<void> {
  if (process.argv.includes('--baseline')) unshareFace();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const first = await renderPdf(document);
  const firstMs = performance.now() - t0;
  const firstCpu = process.cpuUsage(cpu0);
  const cpu: number[] = [];
  const wall0 = performance.now();
  for (let i = 0; i < RENDERS; i++) {
    const before = process.cpuUsage();
    await renderPdf(document);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  const meanMs = (performance.now() - wall0) / RENDERS;
  cpu.sort((a, b) => a - b);
  const measured: Measured = {
    firstMs,
    firstCpuMs: (firstCpu.user + firstCpu.system) / 1000,
    medianCpuMs: percentile(cpu, 0.5),
    p95CpuMs: percentile(cpu, 0.95),
    meanMs,
    bytes: first.length,
  };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

function child(font: string, baseline: boolean): Measured {
  const args = ['--import', 'tsx', import.meta.filename, '--measure', ...(baseline ? ['--baseline'] : [])];
  const result = spawnSync(process.execPath, args, { env: { ...process.env, OMD_CJK_FONT: font }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`measuring ${font} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Measured;
}

export async function run(): Promise<void> {
  const fonts = [
    ...SYSTEM_CJK_FONTS.filter((path) => existsSync(path)).slice(0, 1),
    ...[bundledCjkFont()].filter((path): path is string => path !== undefined),
  ];
  process.stdout.write(`PDF render, one record of 8 fields, ${RENDERS} renders after a first one (budget: <= 10 ms CPU per package, PDF included)\n`);
  for (const font of fonts) {
    const before = child(font, true);
    const r = child(font, false);
    process.stdout.write(
      `  ${font}\n    first render (reads and parses the font) ${r.firstMs.toFixed(0)} ms, then CPU per render median ${r.medianCpuMs.toFixed(2)} ms, p95 ${r.p95CpuMs.toFixed(2)} ms, wall ${r.meanMs.toFixed(2)} ms; PDF ${(r.bytes / 1024).toFixed(0)} KiB\n` +
        `    baseline (nothing shared across documents but the parsed face): CPU median ${before.medianCpuMs.toFixed(2)} ms, p95 ${before.p95CpuMs.toFixed(2)} ms, wall ${before.meanMs.toFixed(2)} ms\n` +
        `    ratio: CPU median ${(r.medianCpuMs / before.medianCpuMs).toFixed(2)}x, wall ${(r.meanMs / before.meanMs).toFixed(2)}x of the baseline${r.bytes === before.bytes ? '' : ` (PDF sizes differ: ${before.bytes} vs ${r.bytes} bytes)`}\n`,
    );
  }
}

if (process.argv.includes('--measure')) await measure();
