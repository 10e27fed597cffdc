// npm test never hangs: a failing `before` is reported in seconds with its reason, a hanging one
// is ended by the per-test limit, and a file that never exits is named and killed at the file and
// run deadlines. The bounds below are hang detectors, not speed targets.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../..');
const HANG = 90_000;

function runTests(files: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const since = Date.now();
    const child = spawn(process.execPath, ['scripts/test.mjs', ...files], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c;
    });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scripts/test.mjs hung for ${HANG} ms:\n${output}`));
    }, HANG);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, output, ms: Date.now() - since });
    });
  });
}

const fixture = (name: string) => `scripts/test/fixtures/${name}.fixture.ts`;

test('a before that fails after starting a server fails the run with its reason, and the file ends', async () => {
  const run = await runTests([fixture('failing-before')]);
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /the fixture agency did not start: port in use/);
  assert.match(run.output, /✖ scripts\/test\/fixtures\/failing-before\.fixture\.ts \([\d.]+ s, exit 1\)/);
  assert.match(run.output, /^0 passed, [1-9]\d* failed$/m);
});

test('a before that never ends is stopped by the per-test limit (Node 22+) or the file deadline (Node 20)', async () => {
  const run = await runTests([fixture('hanging-before')], { OMD_TEST_TIMEOUT_SECONDS: '3', OMD_TEST_FILE_DEADLINE_SECONDS: '10' });
  assert.equal(run.code, 1, run.output);
  if (Number(process.versions.node.split('.')[0]) >= 22) assert.match(run.output, /timed out after 3000ms/);
  else assert.match(run.output, /killed: still running after the file deadline of 10 s/);
  assert.match(run.output, /✖ scripts\/test\/fixtures\/hanging-before\.fixture\.ts/);
});

test('a file that never exits is named and killed at the file deadline, and the others still run', async () => {
  const run = await runTests([fixture('leaking'), fixture('failing-before')], { OMD_TEST_FILE_DEADLINE_SECONDS: '5' });
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /✖ scripts\/test\/fixtures\/leaking\.fixture\.ts \([\d.]+ s, killed: still running after the file deadline of 5 s\)/);
  assert.match(run.output, /✖ scripts\/test\/fixtures\/failing-before\.fixture\.ts/);
});

test('the whole run has a deadline that names what is still running', async () => {
  const run = await runTests([fixture('leaking')], { OMD_TEST_DEADLINE_SECONDS: '5' });
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /the whole run passed its deadline of 5 s/);
  assert.match(run.output, /still running: scripts\/test\/fixtures\/leaking\.fixture\.ts/);
});

test('bad limits are refused with a clear message', async () => {
  const run = await runTests([fixture('failing-before')], { OMD_TEST_TIMEOUT_SECONDS: 'soon' });
  assert.equal(run.code, 2);
  assert.match(run.output, /OMD_TEST_TIMEOUT_SECONDS must be a positive number of seconds; got soon/);
});
