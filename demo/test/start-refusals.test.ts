// npm start refuses, at once and saying why, what could never work: a port browsers and fetch
// block (HUB_PORT or one the demo derives from it), and outside registry files that are invalid
// or reuse an id. Nothing is started in these cases.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BLOCKED_PORTS } from '../src/bad-ports.ts';
import { DEMO_AGENCIES, registryFor } from '../src/catalogue.ts';
import { runScript } from '../../packages/hub/test/helpers/run-script.ts';

const root = join(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'omd-start-refusals-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  return runScript('demo/src/start.ts', [], { cwd: root, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env } });
}

describe("ports browsers and Node's fetch block", () => {
  it('the list is the one Node’s fetch applies: each listed port is refused as a bad port, its neighbours are not', async () => {
    const reason = async (port: number) => {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        return 'answered';
      } catch (error) {
        return (error as { cause?: { message?: string } }).cause?.message ?? 'failed';
      }
    };
    for (const port of BLOCKED_PORTS) {
      assert.equal(await reason(port), 'bad port', `port ${port}`);
      for (const neighbour of [port - 1, port + 1].filter((p) => p > 0 && !BLOCKED_PORTS.has(p))) {
        assert.notEqual(await reason(neighbour), 'bad port', `port ${neighbour}`);
      }
    }
  });

  it('refuses HUB_PORT=6000 at once, naming the port and why', async () => {
    const run = await start({ HUB_PORT: '6000' });
    assert.equal(run.code, 78);
    assert.match(run.stderr, /HUB_PORT=6000 cannot be used: the hub would listen on port 6000, which browsers and Node's fetch refuse/);
    assert.equal(existsSync(join(dataDir, 'log')), false, 'nothing was started');
  });

  it('refuses a HUB_PORT whose derived ports include a blocked one, naming what would listen there', async () => {
    const signer = await start({ HUB_PORT: '5991' });
    assert.equal(signer.code, 78);
    assert.match(signer.stderr, /the card signer would listen on port 6000/);
    const household = DEMO_AGENCIES.find((a) => a.id === 'moi-household');
    assert.ok(household);
    const agency = await start({ HUB_PORT: String(6665 - household.portOffset) });
    assert.equal(agency.code, 78);
    assert.match(agency.stderr, /the moi-household agency would listen on port 6665/);
    const nonsense = await start({ HUB_PORT: '65530' });
    assert.equal(nonsense.code, 78);
    assert.match(nonsense.stderr, /HUB_PORT must be a port number from 1 to 65515/);
  });
});

describe('outside registry files (OMD_EXTRA_REGISTRY_DIR)', () => {
  it('refuses an agency id the demo already registers, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omd-extra-'));
    try {
      const demo = registryFor(21_000);
      const copy = { agencies: [{ ...demo.agencies[0], datasets: demo.agencies[0]?.datasets.map((d) => ({ ...d, id: `${d.id}-copy` })) }] };
      writeFileSync(join(dir, 'copy.json'), JSON.stringify(copy));
      const run = await start({ HUB_PORT: '21000', OMD_EXTRA_REGISTRY_DIR: dir });
      assert.equal(run.code, 78);
      assert.match(run.stderr, new RegExp(`agency moi-household is in both the demo registry and ${join(dir, 'copy.json').replaceAll('/', '\\/')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid file, naming each problem by its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omd-extra-'));
    try {
      writeFileSync(
        join(dir, 'bad.json'),
        JSON.stringify({ agencies: [{ id: 'outside', name: { 'zh-TW': '外部機關', en: 'Outside' }, base_url: 'localhost:4000', datasets: [] }] }),
      );
      const run = await start({ HUB_PORT: '21000', OMD_EXTRA_REGISTRY_DIR: dir });
      assert.equal(run.code, 78);
      assert.match(run.stderr, /bad\.json is invalid:/);
      assert.match(run.stderr, /agencies\[0\] \(outside\)\.base_url: must be an http or https URL/);
      assert.match(run.stderr, /agencies\[0\] \(outside\)\.datasets: Too small/);
      const missing = await start({ HUB_PORT: '21000', OMD_EXTRA_REGISTRY_DIR: join(dir, 'nope') });
      assert.equal(missing.code, 78);
      assert.match(missing.stderr, /OMD_EXTRA_REGISTRY_DIR=.*nope is not a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
