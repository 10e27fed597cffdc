// What leaves the repository works without tsx: `npm run build` compiles protocol, provider SDK
// and hub; the compiled hub starts with plain Node; and the SDK packed with `npm pack`, installed
// from its tarball into an empty project, runs an agency written in plain JavaScript whose data
// set a real hub fetches and verifies.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { before, test } from 'node:test';
import { parseRegistry, seedRegistry } from '@openmydata/hub';
import { closeAfterAll } from '../../packages/hub/test/helpers/close-after-all.ts';
import { consumedConsent } from '../../packages/hub/test/helpers/consent.ts';
import { startTestHub } from '../../packages/hub/test/helpers/hub.ts';
import { testRegistry } from '../../packages/hub/test/helpers/registry.ts';

const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'omd-distribution-'));
const closeAfter = closeAfterAll();
closeAfter(() => rmSync(work, { recursive: true, force: true }));

/** This process's environment without what would make a child load TypeScript sources. */
function plainNodeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env: plainNodeEnv(), encoding: 'utf8', timeout: 240_000 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Starts a plain-Node process and waits for the first stdout line that `ready` recognises. */
async function startProcess(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp }): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c;
  });
  closeAfter(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (text) => {
      if (options.ready.test(text)) resolve(text);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before it was ready:\n${stderr}`)));
  });
  return { child, line };
}

before(() => {
  run(process.execPath, ['scripts/build.mjs'], root);
});

test('the compiled hub starts with plain Node from packages/hub/dist, serves the portal, and stops cleanly', async () => {
  const dataDir = join(work, 'hub-data');
  // Its own SQLite in a fresh data directory: a shared PostgreSQL (DATABASE_URL) holds keys sealed
  // under the test hubs' secrets, not this one's.
  const env = plainNodeEnv({ NODE_ENV: 'development', HUB_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  delete env.DATABASE_URL;
  const { child, line } = await startProcess(['packages/hub/dist/main.js'], {
    cwd: root,
    env,
    ready: /"msg":"hub listening"/,
  });
  const { url } = JSON.parse(line) as { url: string };
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200);
  // The portal's stylesheet is a file beside the sources; the build copies it.
  const css = await fetch(`${url}/assets/portal.css`);
  assert.equal(css.status, 200);
  assert.ok((await css.text()).length > 100);
  const catalogue = await fetch(`${url}/catalogue`);
  assert.equal(catalogue.status, 200);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  assert.equal(code, 0);
});

test('the provider SDK packed with npm pack, installed into an empty project, serves a data set the hub verifies', async () => {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed: Array<{ filename: string; files: Array<{ path: string }> }> = [];
  for (const name of ['protocol', 'provider-sdk']) {
    // Built above; --ignore-scripts so the pack does not build a second time.
    const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs], join(root, 'packages', name));
    packed.push(...(JSON.parse(out) as typeof packed));
  }
  for (const { filename, files } of packed) {
    const paths = files.map((f) => f.path);
    assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts'), `${filename}: JavaScript and declarations`);
    assert.deepEqual(
      paths.filter((p) => p.startsWith('src/') || p.startsWith('test/')),
      [],
      `${filename}: no sources or tests`,
    );
  }

  // An outside agency's project: nothing in it but the two tarballs and what they depend on.
  const project = join(work, 'outside-agency');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'outside-agency', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...packed.map((p) => join(tarballs, p.filename))], project);
  const readme = readFileSync(join(project, 'node_modules/@openmydata/provider-sdk/README.md'), 'utf8');
  assert.ok(readme.includes('createProvider'), 'the README ships with the package');
  assert.equal(/\/(work|home|root|tmp)\//.exec(readme)?.[0], undefined, 'the README names no machine path');
  writeFileSync(
    join(project, 'agency.mjs'),
    `import { createProvider } from '@openmydata/provider-sdk';
const [issuer, jwksUrl] = process.argv.slice(2);
const provider = createProvider({
  agency: { id: 'outside-agency', name: { 'zh-TW': '外部測試機關', en: 'Outside test agency' } },
  hub: { issuer, jwksUrl },
  datasets: [{
    id: 'outside-records',
    name: { 'zh-TW': '外部資料', en: 'Outside records' },
    fields: [{ id: 'value', name: { 'zh-TW': '值', en: 'Value' }, type: 'string' }],
    fetch: async (subject) => (subject === 'A123456789' ? { records: [{ value: '臺北市中正區' }] } : null),
  }],
});
const { url } = await provider.listen(0);
console.log(JSON.stringify({ url }));
`,
  );
  // Type declarations work for an agency written in TypeScript too.
  writeFileSync(
    join(project, 'check.ts'),
    `import { createProvider, type DatasetHandler } from '@openmydata/provider-sdk';
const dataset: DatasetHandler = { id: 'x', name: { 'zh-TW': '測試', en: 'Test' }, fields: [], fetch: async () => null };
// @ts-expect-error a data set needs a fetch function
const broken: DatasetHandler = { id: 'y', name: { 'zh-TW': '測試', en: 'Test' }, fields: [] };
export const provider = createProvider({ agency: { id: 'a', name: { 'zh-TW': '機關', en: 'Agency' } }, hub: { issuer: 'http://localhost:3000', jwksUrl: 'http://localhost:3000/.well-known/jwks.json' }, datasets: [dataset, broken] });
`,
  );
  run(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2023',
      '--typeRoots',
      join(root, 'node_modules/@types'),
      '--types',
      'node',
      'check.ts',
    ],
    project,
  );

  const t = await startTestHub();
  closeAfter(() => t.stop());
  const { line } = await startProcess(['agency.mjs', t.hub.config.publicUrl, `${t.url}/.well-known/jwks.json`], {
    cwd: project,
    // The npm font, whatever this machine has installed.
    env: plainNodeEnv({ OMD_IGNORE_SYSTEM_TOOLS: '1' }),
    ready: /^\{"url":/,
  });
  const { url } = JSON.parse(line) as { url: string };
  await seedRegistry(t.hub.db, parseRegistry(testRegistry([{ id: 'outside-agency', baseUrl: url, datasets: ['outside-records'] }])));
  t.hub.catalogue.invalidate();

  const [outcome] = await t.hub.broker.fetchAll({
    consent: await consumedConsent(t.hub, 'A123456789', ['outside-records'], 'distribution test'),
    nationalId: 'A123456789',
  });
  assert.ok(outcome?.status === 'ok', `verified: ${JSON.stringify(outcome)}`);
  const data = JSON.parse(outcome.package.files.get('data.json')?.toString('utf8') ?? '{}') as { records: unknown[] };
  assert.deepEqual(data.records, [{ value: '臺北市中正區' }]);
  assert.match(outcome.package.files.get('data.pdf')?.toString('latin1') ?? '', /\/BaseFont \/[A-Z]{6}\+NotoSansTC-Regular/);
});
