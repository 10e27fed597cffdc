// The browser and 7-Zip the tests drive come from npm when the system has none: both are tried
// here with the system's hidden, whatever this machine has, so the Node-only path is proved on
// every run; the default choice is tried too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser } from './helpers/browser.ts';
import { sevenZip } from './helpers/system-tools.ts';

const work = mkdtempSync(join(tmpdir(), 'omd-system-tools-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs `body` with the system's tools hidden, as on a machine with Node alone. */
async function withSystemToolsHidden<T>(body: () => Promise<T> | T): Promise<T> {
  const saved = { ignore: process.env.OMD_IGNORE_SYSTEM_TOOLS, chromium: process.env.CHROMIUM_PATH };
  process.env.OMD_IGNORE_SYSTEM_TOOLS = '1';
  delete process.env.CHROMIUM_PATH;
  try {
    return await body();
  } finally {
    for (const [name, value] of [
      ['OMD_IGNORE_SYSTEM_TOOLS', saved.ignore],
      ['CHROMIUM_PATH', saved.chromium],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const TEXT = '臺北市中正區重慶南路一段綜合所得稅納稅證明書';

/** The platform fonts Chromium used for the paragraph's text, as DevTools reports them. */
async function fontsUsedFor(page: Page): Promise<Array<{ familyName: string; glyphCount: number }>> {
  await page.setContent(`<!doctype html><html lang="zh-TW"><body><p>${TEXT}</p></body></html>`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'p' });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  return fonts.map((f) => ({ familyName: f.familyName, glyphCount: f.glyphCount }));
}

for (const mode of ['the default choice', 'system tools hidden'] as const) {
  test(`Chromium (${mode}) launches and sets Chinese text in a Noto CJK font`, async () => {
    const launch = mode === 'system tools hidden' ? () => withSystemToolsHidden(launchBrowser) : launchBrowser;
    const { browser, executable, close } = await launch();
    try {
      if (mode === 'system tools hidden') assert.equal(executable.source, 'npm');
      const page = await browser.newPage();
      const fonts = await fontsUsedFor(page);
      const cjk = fonts.filter((f) => /Noto Sans (CJK )?TC/.test(f.familyName));
      assert.equal(
        cjk.reduce((n, f) => n + f.glyphCount, 0),
        [...TEXT].length,
        `fonts used: ${JSON.stringify(fonts)}`,
      );
    } finally {
      await close();
    }
  });
}

test('7-Zip from npm (system tools hidden) makes and opens an AES-256 ZIP, and refuses a wrong password', async () => {
  const command = await withSystemToolsHidden(sevenZip);
  assert.match(command, /7zip-bin/);
  accessSync(command, constants.X_OK);
  writeFileSync(join(work, 'note.txt'), TEXT);
  const zip = join(work, 'note.zip');
  const made = spawnSync(command, ['a', '-tzip', '-mem=AES256', '-pcorrect-horse', zip, join(work, 'note.txt')], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stdout + made.stderr);
  const listing = spawnSync(command, ['l', '-slt', '-pcorrect-horse', zip], { encoding: 'utf8' });
  assert.match(listing.stdout, /^Method = AES-256 /m);
  const wrong = spawnSync(command, ['x', '-y', '-pnot-it', `-o${join(work, 'wrong')}`, zip], { encoding: 'utf8' });
  assert.notEqual(wrong.status, 0);
  const right = spawnSync(command, ['t', '-pcorrect-horse', zip], { encoding: 'utf8' });
  assert.equal(right.status, 0, right.stdout + right.stderr);
});

test('7-Zip by default is the system one when there is one', () => {
  const command = sevenZip();
  const version = spawnSync(command, ['i'], { encoding: 'utf8' });
  assert.equal(version.status, 0);
  assert.match(version.stdout, /7-Zip/);
});
