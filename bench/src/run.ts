// npm run bench -- <name>: runs one benchmark and prints its figures (ratios against a baseline
// measured in the same run where possible).
const BENCHES: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  broker: () => import('./broker.ts'),
  catalogue: () => import('./catalogue.ts'),
  flows: () => import('./flows.ts'),
  ledger: () => import('./ledger.ts'),
  online: () => import('./flows.ts').then((m) => ({ run: () => m.runKind('online') })),
  pdf: () => import('./pdf.ts'),
  startup: () => import('./startup.ts'),
  zip: () => import('./download-zip.ts'),
  counter: () => import('./flows.ts').then((m) => ({ run: () => m.runKind('counter') })),
};

const name = process.argv[2];
if (!name || !(name in BENCHES)) {
  process.stderr.write(`Usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>\n`);
  process.exit(2);
}
const bench = await (BENCHES[name] as () => Promise<{ run(): Promise<void> }>)();
await bench.run();
