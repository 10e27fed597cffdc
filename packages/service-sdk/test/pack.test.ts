// The SDK as a service provider gets it: built to JavaScript with type declarations, packed with npm
// pack, installed from the tarball into an empty project, type-checked as a TypeScript consumer
// would, and run there (plain Node, no tsx, nothing from this repository) through a whole transfer
// against a real hub.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { type FakeAgency, goodPackage, startFakeAgency, zipAnswer } from '../../hub/test/helpers/fake-agency.ts';
import { startTestHub, type TestHub } from '../../hub/test/helpers/hub.ts';
import { signedIn } from '../../hub/test/helpers/portal-client.ts';
import { testRegistry } from '../../hub/test/helpers/registry.ts';
import { freePort, registerService, visitPortal } from '../../hub/test/helpers/service-client.ts';
import { generateServiceKeys, publicJwks } from '../src/index.ts';

const here = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'omd-sdk-pack-'));
const project = join(work, 'service');
let t: TestHub;
let agency: FakeAgency;
let child: ChildProcess | undefined;

before(async () => {
  agency = await startFakeAgency('fia');
  agency.behave(async (info) => zipAnswer(await goodPackage(agency, info, { records: [{ value: 'NT$ 1,234,000' }] })));
  const port = await freePort();
  t = await startTestHub({
    registry: testRegistry([{ id: 'fia', baseUrl: agency.url, datasets: ['income'] }]),
    env: { HUB_PORT: String(port), HUB_PUBLIC_URL: `http://localhost:${port}` },
  });
});

after(async () => {
  child?.kill();
  await t?.stop();
  await agency?.close();
  rmSync(work, { recursive: true, force: true });
});

let tarball = '';

test('npm run build gives JavaScript and type declarations; npm pack makes one tarball of them', () => {
  const dist = join(work, 'dist');
  execFileSync(process.execPath, [join(here, 'scripts/build.mjs'), '--out-dir', dist], { stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', dist, '--pack-destination', work, '--json'], { encoding: 'utf8' });
  const [packed] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(packed);
  const files = packed.files.map((f) => f.path);
  for (const expected of ['service-sdk/src/index.js', 'service-sdk/src/index.d.ts', 'protocol/src/package.js', 'README.md', 'package.json'])
    assert.ok(files.includes(expected), `${expected} is in the package`);
  assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources');
  tarball = join(work, packed.filename);
});

test('installed from the tarball into an empty project, it type-checks and runs a whole transfer', async () => {
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-bank', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe' });
  assert.deepEqual(readdirSync(join(project, 'node_modules/@openmydata')), ['service-sdk']);

  writeFileSync(
    join(project, 'consumer.ts'),
    `import { ServiceClient, recordsOf, type Delivery, type Authorization } from '@openmydata/service-sdk';
interface Income { value: string }
export async function use(client: ServiceClient, authorization: Authorization): Promise<string> {
  const delivery: Delivery = await client.waitForData(authorization);
  const first: Income | undefined = recordsOf<Income>(delivery, 'income')[0];
  return first?.value ?? delivery.datasets.map((d) => d.verdict?.ok).join();
}
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        lib: ['es2023', 'dom'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['consumer.ts'],
    }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, stdio: 'pipe' });

  const keys = await generateServiceKeys();
  const service = await registerService(t.hub, { clientId: 'packed-bank', serviceId: 'packed-loan', datasets: ['income'], jwks: publicJwks(keys) });
  writeFileSync(
    join(project, 'run.mjs'),
    `import { createInterface } from 'node:readline';
import { ServiceClient, recordsOf } from '@openmydata/service-sdk';
const client = await ServiceClient.create({ hub: process.env.HUB, clientId: 'packed-bank', redirectUri: process.env.REDIRECT, keys: JSON.parse(process.env.KEYS), allowInsecureRequests: true });
const { url, pending } = await client.pushAuthorization({ service: 'packed-loan', datasets: ['income'] });
console.log(JSON.stringify({ authorize: url.href }));
const lines = createInterface({ input: process.stdin });
const callback = await new Promise((resolve) => lines.once('line', resolve));
const authorization = await client.handleCallback(callback, pending);
const delivery = await client.waitForData(authorization, { timeoutMs: 30000 });
console.log(JSON.stringify({ transfer: authorization.transfer, verdicts: delivery.datasets.map((d) => [d.dataset, d.verdict?.ok]), income: recordsOf(delivery, 'income') }));
lines.close();
`,
  );
  child = spawn(process.execPath, ['run.mjs'], {
    cwd: project,
    env: { PATH: process.env.PATH ?? '', HUB: t.hub.config.publicUrl, REDIRECT: service.redirectUri, KEYS: JSON.stringify(keys) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const out = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const lines = out[Symbol.asyncIterator]();
  const first = await lines.next();
  assert.ok(!first.done, `the packed SDK printed nothing: ${stderr}`);
  const { authorize } = JSON.parse(first.value) as { authorize: string };
  const person = await signedIn(t.hub, t.hub.config.publicUrl, 'A123456789', 1);
  const visit = await visitPortal(new URL(authorize), person, 'agree');
  child.stdin?.write(`${visit.callback.href}\n`);
  const second = await lines.next();
  assert.ok(!second.done, `the packed SDK stopped: ${stderr}`);
  const result = JSON.parse(second.value) as { transfer: string; verdicts: Array<[string, boolean]>; income: Array<{ value: string }> };
  assert.match(result.transfer, /^[0-9a-f-]{36}$/);
  assert.deepEqual(result.verdicts, [['income', true]]);
  assert.equal(result.income[0]?.value, 'NT$ 1,234,000');
});
