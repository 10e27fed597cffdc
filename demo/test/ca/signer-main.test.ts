// The signer as the launcher runs it: trust material in $DATA_DIR/trust/, nothing personal anywhere under DATA_DIR.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { CITIZENS } from '../../src/population/citizens.ts';
import type { SignedChallenge } from '../../src/signer/index.ts';
import { filesUnder, findPersonalData } from '../privacy-scan.ts';
import { readFile } from 'node:fs/promises';
import { createX509Verifier, crlsFromFiles } from '@openmydata/hub';

const HUB = 'http://localhost:3999';
const root = join(import.meta.dirname, '../../..');
let dataDir: string;
let child: ChildProcess;
let signerUrl: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'omd-signer-'));
  // Something already in the data dir must survive untouched.
  writeFileSync(join(dataDir, 'keep.txt'), 'hello');
  child = spawn(process.execPath, ['--import', 'tsx', 'demo/src/signer/main.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, HUB_PUBLIC_URL: HUB, SIGNER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => ['exited'])])) as string[];
  const ready = JSON.parse(line ?? '{}') as { ready?: { signer?: string } };
  assert.ok(ready.ready?.signer, `signer did not start: ${line}`);
  signerUrl = ready.ready.signer;
});

after(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('main writes the CA certificates and CRLs to DATA_DIR/trust and a hub can trust them', async () => {
  const trust = join(dataDir, 'trust');
  const files = filesUnder(trust)
    .map((f) => f.slice(trust.length + 1))
    .sort();
  assert.deepEqual(files, ['demo-ca-g1.crl', 'demo-ca-g1.pem', 'demo-root-ca.crl', 'demo-root-ca.pem']);
  const verifier = createX509Verifier({
    trustAnchorsPem: [await readFile(join(trust, 'demo-root-ca.pem'), 'utf8')],
    crls: crlsFromFiles([join(trust, 'demo-ca-g1.crl'), join(trust, 'demo-root-ca.crl')]),
  });
  const list = (await (await fetch(`${signerUrl}/certificates`, { headers: { Origin: HUB } })).json()) as Array<{ id: string; holder: string }>;
  const wang = list.find((c) => c.holder === 'A******789');
  assert.ok(wang);
  const { nonce, expiresAt } = verifier.issueChallenge();
  const res = await fetch(`${signerUrl}/sign`, {
    method: 'POST',
    headers: { Origin: HUB, 'Content-Type': 'application/json' },
    body: JSON.stringify({ certificateId: wang.id, nonce, origin: HUB }),
  });
  assert.equal(res.status, 200);
  const identity = await verifier.verify({ nonce, expiresAt, ...((await res.json()) as SignedChallenge) });
  assert.equal(identity.nationalId, 'A123456789');
});

test('nothing under DATA_DIR holds any citizen ID or name', () => {
  const files = filesUnder(dataDir);
  assert.ok(files.length >= 5);
  const needles = CITIZENS.flatMap((c) => [c.nationalId, c.name, c.romanisedName]);
  assert.deepEqual(findPersonalData(files, needles), []);
});
