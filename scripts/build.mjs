#!/usr/bin/env node
// npm run build [-- package ...]: compiles the workspace packages that run outside tsx to
// JavaScript with type declarations, each into its own dist/, in dependency order: protocol, then
// provider-sdk (published for agencies), then hub (production start: node packages/hub/dist/main.js).
// Files under src/ that are not TypeScript (the portal's CSS and script) are copied alongside.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const ORDER = ['protocol', 'provider-sdk', 'hub'];
const asked = process.argv.slice(2);
for (const name of asked) {
  if (!ORDER.includes(name)) {
    console.error(`unknown package ${name}; choose from ${ORDER.join(', ')}`);
    process.exit(2);
  }
}
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

function copyAssets(from, to) {
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) copyAssets(path, join(to, name));
    else if (!name.endsWith('.ts')) cpSync(path, join(to, name));
  }
}

for (const name of ORDER.filter((n) => asked.length === 0 || asked.includes(n))) {
  const dir = join(root, 'packages', name);
  const started = Date.now();
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build of ${name} failed`);
    process.exit(result.status ?? 1);
  }
  copyAssets(join(dir, 'src'), join(dir, 'dist'));
  console.log(`built ${relative(root, join(dir, 'dist'))} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
