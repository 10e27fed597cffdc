#!/usr/bin/env node
// npm run build -w packages/service-sdk: compiles the SDK (and the package verification it shares
// with the hub, from packages/protocol) to JavaScript with type declarations in dist/, and writes
// dist/package.json so that `npm pack packages/service-sdk/dist` makes an installable package.
// --out-dir DIR builds elsewhere (the pack test does, leaving the checkout as it was).
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const here = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const dist = values['out-dir'] ? resolve(values['out-dir']) : join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const built = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const own = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const entry = './service-sdk/src/index';
const published = {
  name: own.name,
  version: own.version,
  description: own.description,
  type: 'module',
  license: own.license,
  engines: { node: '>=20.19' },
  exports: { '.': { types: `${entry}.d.ts`, default: `${entry}.js` } },
  types: `${entry}.d.ts`,
  dependencies: own.dependencies,
};
writeFileSync(join(dist, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
copyFileSync(join(here, 'README.md'), join(dist, 'README.md'));
process.stdout.write(`built ${own.name} ${own.version} into ${dist}\n`);
