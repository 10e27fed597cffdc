// The download ZIP's cost per download: the hub's CPU for mode 1's encrypted ZIP, measured against
// the layout it replaced (one AES-256 entry per file, so one PBKDF2 key derivation per file) in the
// same run. Three data sets from three agencies, each package about 100 KB, as in a complete flow.
import type { webcrypto } from 'node:crypto';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { buildDownloadPackage, openDownload } from '../../packages/hub/src/delivery/download/index.ts';
import { catalogueFor, syntheticAgency } from '../../packages/hub/test/delivery/fixtures/synthetic-outcomes.ts';

const DATASETS = 3;
const ROUNDS = 60;
const PASSWORD = 'correct horse battery staple 9!';

/** CPU ms (user + system, all threads) and wall ms per call of `build`, after a warm-up. */
async function measure(build: () => Promise<Uint8Array>): Promise<{ cpuMs: number; wallMs: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = (await build()).byteLength;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) await build();
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / ROUNDS, wallMs: (performance.now() - t0) / ROUNDS, bytes };
}

/** Counts the PBKDF2 derivations zip.js asks WebCrypto for while `build` runs. */
async function derivations(build: () => Promise<Uint8Array>): Promise<number> {
  const subtle = globalThis.crypto.subtle as webcrypto.SubtleCrypto;
  const original = subtle.deriveBits;
  let count = 0;
  subtle.deriveBits = function (this: webcrypto.SubtleCrypto, ...args: Parameters<webcrypto.SubtleCrypto['deriveBits']>) {
    count++;
    return original.apply(this, args);
  };
  try {
    await build();
  } finally {
    subtle.deriveBits = original;
  }
  return count;
}

export async function run(): Promise<void> {
  const agencies = await Promise.all(Array.from({ length: DATASETS }, (_, i) => syntheticAgency(`bench-agency-${i}`)));
  const outcomes = await Promise.all(agencies.map((agency, i) => agency.sign(`bench-dataset-${i}`, { pdfBytes: 85_000, records: 40 })));
  const options = {
    outcomes,
    password: PASSWORD,
    ...catalogueFor(
      agencies,
      outcomes.map((o) => o.dataset),
    ),
    createdAt: new Date('2025-03-04T05:06:07.000Z'),
    transactionLabel: 'DL-BENCH',
  };
  const current = () => buildDownloadPackage(options);
  // The replaced layout: the same files, each its own AES-256 entry.
  const { files } = await openDownload(await current(), PASSWORD);
  const baseline = async () => {
    const expected = [...files].reduce((sum, [name, data]) => sum + data.byteLength + 2 * name.length + 200, 64 * 1024);
    const writer = new ZipWriter(new Uint8ArrayWriter(expected), {
      password: PASSWORD,
      encryptionStrength: 3,
      zipCrypto: false,
      useWebWorkers: false,
      lastModDate: options.createdAt,
    });
    await Promise.all([...files].map(([name, data]) => writer.add(name, new Uint8ArrayReader(data), { level: /\.(json|txt)$/.test(name) ? 6 : 0 })));
    return writer.close();
  };
  const before = await measure(baseline);
  const after = await measure(current);
  const [beforeKeys, afterKeys] = [await derivations(baseline), await derivations(current)];
  process.stdout.write(
    `Download ZIP, ${DATASETS} data sets, packages of ${((outcomes[0]?.archive.byteLength ?? 0) / 1024).toFixed(0)} KiB, ${ROUNDS} builds each\n` +
      `  one AES entry per file (before): ${before.cpuMs.toFixed(2)} ms CPU, ${before.wallMs.toFixed(2)} ms wall per download, ${beforeKeys} key derivations, ${(before.bytes / 1024).toFixed(0)} KiB\n` +
      `  README + contents.zip (now):     ${after.cpuMs.toFixed(2)} ms CPU, ${after.wallMs.toFixed(2)} ms wall per download, ${afterKeys} key derivations, ${(after.bytes / 1024).toFixed(0)} KiB\n` +
      `  ratio: CPU ${(after.cpuMs / before.cpuMs).toFixed(2)}x, wall ${(after.wallMs / before.wallMs).toFixed(2)}x of before\n`,
  );
}
