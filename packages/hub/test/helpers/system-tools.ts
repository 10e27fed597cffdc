// The outside programs the tests drive, a browser and 7-Zip: the system's when it has them, else
// the ones npm packages ship (@sparticuz/chromium, 7zip-bin), so a machine with Node alone runs
// every test. OMD_IGNORE_SYSTEM_TOOLS=1 hides the system's, which is how CI proves the npm path.
// Nothing is ever downloaded: both npm packages carry their binaries.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { findCjkFont } from '@openmydata/provider-sdk';

export const systemToolsIgnored = (): boolean => process.env.OMD_IGNORE_SYSTEM_TOOLS === '1';

/** An executable named `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      if (statSync(path).isFile()) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The 7-Zip command: the system's `7z`, else the `7za` that 7zip-bin ships. */
export function sevenZip(): string {
  const system = systemToolsIgnored() ? undefined : onPath('7z');
  if (system) return system;
  const { path7za } = createRequire(import.meta.url)('7zip-bin') as { path7za: string };
  // npm does not always keep the executable bit of a packaged binary.
  if ((statSync(path7za).mode & 0o111) === 0) chmodSync(path7za, 0o755);
  return path7za;
}

export interface BrowserExecutable {
  path: string;
  source: 'system' | 'npm';
  /** Environment the browser needs on top of this process's (fonts and libraries for the npm one). */
  env: Record<string, string>;
  /** Removes what was made for this launch. */
  cleanUp(): void;
}

/**
 * The Chromium to launch: CHROMIUM_PATH if set, else /usr/bin/chromium (not when system tools are
 * hidden), else the one inside @sparticuz/chromium, unpacked once per version under the temp dir.
 */
export async function chromiumExecutable(): Promise<BrowserExecutable> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return { path: configured, source: 'system', env: {}, cleanUp() {} };
  if (!systemToolsIgnored() && existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: 'system', env: {}, cleanUp() {} };
  const unpacked = await unpackNpmChromium();
  // The npm Chromium sees only the fonts named here: the PDF font (the npm Noto Sans TC on a bare
  // machine) for Chinese text and the Open Sans the package ships, never the system's font set.
  const fontconfig = mkdtempSync(join(tmpdir(), 'omd-fontconfig-'));
  writeFileSync(
    join(fontconfig, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>${xml(dirname(findCjkFont()))}</dir>\n  <dir>${xml(join(unpacked, 'fonts'))}</dir>\n` +
      `  <cachedir>${xml(join(fontconfig, 'cache'))}</cachedir>\n  <config></config>\n</fontconfig>\n`,
  );
  return {
    path: join(unpacked, 'chromium'),
    source: 'npm',
    env: {
      FONTCONFIG_PATH: fontconfig,
      FONTCONFIG_FILE: join(fontconfig, 'fonts.conf'),
      // NSS and friends, built for the package's own Linux, in case this machine has none.
      LD_LIBRARY_PATH: [join(unpacked, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter),
    },
    cleanUp: () => rmSync(fontconfig, { recursive: true, force: true }),
  };
}

let unpacking: Promise<string> | undefined;

/** Unpacks the npm Chromium into a folder of its own; concurrent test processes race safely. */
function unpackNpmChromium(): Promise<string> {
  unpacking ??= (async () => {
    // The package exports only its entry point (build/index.js); its root is one folder up.
    const packageRoot = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..');
    const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const target = join(tmpdir(), `openmydata-chromium-${version}`);
    if (existsSync(join(target, 'chromium'))) return target;
    // The package unpacks into os.tmpdir(), shared by everyone; point it at a staging folder of
    // our own and move that into place in one rename, so no process sees a half-written binary.
    const staging = mkdtempSync(`${target}.staging-`);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = staging;
    try {
      const { default: Chromium, inflate } = await import('@sparticuz/chromium');
      const binary = await Chromium.executablePath();
      if (binary !== join(staging, 'chromium')) throw new Error(`@sparticuz/chromium unpacked to ${binary}, not into ${staging}`);
      await inflate(join(packageRoot, 'bin', 'al2023.tar.br'));
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    try {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(staging, target);
    } catch (error) {
      // Another process moved its copy into place first: use that one.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(target, 'chromium'))) throw error;
    }
    return target;
  })();
  return unpacking;
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
