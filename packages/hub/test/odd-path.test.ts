// The hub and the test runner work in a checkout whose path has spaces and Chinese characters: no
// code takes a file path from a URL's pathname (which keeps %20 and percent-encoded characters).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type HubProcess, startHubProcess } from './helpers/hub-process.ts';
import { runScript } from './helpers/run-script.ts';

const root = join(import.meta.dirname, '../../..');
let copy = '';
let hub: HubProcess | undefined;

before(() => {
  copy = join(mkdtempSync(join(tmpdir(), 'omd odd path ')), '開放 資料 checkout');
  const skip = new Set(['node_modules', 'var', '.git', 'dist', 'coverage']);
  for (const entry of ['packages', 'demo', 'bench', 'scripts', 'docs', 'package.json', 'tsconfig.json']) {
    cpSync(join(root, entry), join(copy, entry), { recursive: true, filter: (source) => !skip.has(source.split('/').pop() ?? '') });
  }
  // Third-party packages are linked to this checkout's; the workspace packages resolve to the copy.
  mkdirSync(join(copy, 'node_modules', '@openmydata'), { recursive: true });
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name !== '@openmydata') symlinkSync(join(root, 'node_modules', name), join(copy, 'node_modules', name));
  }
  for (const [name, target] of [
    ['protocol', 'packages/protocol'],
    ['provider-sdk', 'packages/provider-sdk'],
    ['hub', 'packages/hub'],
    ['demo', 'demo'],
    ['bench', 'bench'],
  ] as const) {
    symlinkSync(join('..', '..', target), join(copy, 'node_modules', '@openmydata', name));
  }
});

after(async () => {
  await hub?.stop();
  if (copy) rmSync(join(copy, '..'), { recursive: true, force: true });
});

test('the hub starts from the odd path and serves its files (assets read from beside the code)', async () => {
  hub = await startHubProcess({ HUB_PORT: '0', DATA_DIR: join(copy, 'var'), DATABASE_URL: '' }, { checkout: copy });
  const css = await fetch(`${hub.url}/assets/portal.css`);
  assert.equal(css.status, 200);
  assert.match(await css.text(), /--brand/);
  assert.equal((await fetch(`${hub.url}/readyz`)).status, 200);
  const chinese = await fetch(`${hub.url}/catalogue`, { headers: { accept: 'text/html' } });
  assert.equal(chinese.status, 200);
});

test('the test runner finds and runs tests from the odd path', async () => {
  // A nested runner reports in its own words only outside this runner's child protocol.
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  const run = await runScript(join(copy, 'scripts/test.mjs'), ['packages/protocol/test/provider-api-doc'], { cwd: copy, env: { ...env, DATABASE_URL: '' } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /ℹ pass [1-9]/);
  assert.match(run.stdout, /ℹ fail 0/);
});
