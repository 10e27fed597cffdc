// On a machine with Node alone the PDFs and pages are set in the npm Noto Sans TC, which covers
// Big5 and more but not every CJK ideograph: every Chinese character the demo, the SDK and the hub
// can print must be in it, or a bare machine shows empty boxes where a name should be.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledCjkFont } from '@openmydata/provider-sdk';

const root = join(import.meta.dirname, '../..');
const SOURCES = ['demo/src', 'packages/provider-sdk/src', 'packages/hub/src'];
// Han ideographs, CJK punctuation, Bopomofo, full-width forms: what a Latin font would not have.
const CJK = /[\p{Script=Han}\u3000-\u303f\u3100-\u312f\ufe30-\ufe4f\uff00-\uffef]/u;

interface Face {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, out);
    else if (/\.(ts|js|css)$/.test(name)) out.push(path);
  }
  return out;
}

test('the npm font has a glyph for every Chinese character in the demo, SDK and hub sources', () => {
  const fontPath = bundledCjkFont();
  assert.ok(fontPath, '@openmydata/provider-sdk depends on @expo-google-fonts/noto-sans-tc');
  // pdfkit's own fontkit, the parser the PDFs are made with.
  const require = createRequire(import.meta.url);
  const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(bytes: Buffer): Face };
  const face = fontkit.create(readFileSync(fontPath));
  const characters = new Set<string>();
  for (const file of SOURCES.flatMap((dir) => filesUnder(join(root, dir)))) {
    for (const ch of readFileSync(file, 'utf8')) if (CJK.test(ch)) characters.add(ch);
  }
  assert.ok(characters.size > 500, `found ${characters.size} characters: the scan reads the sources`);
  const missing = [...characters].filter((ch) => !face.hasGlyphForCodePoint(ch.codePointAt(0) as number));
  assert.deepEqual(missing, []);
});
