// Finding and loading the Noto Sans CJK font the PDFs are set in (Traditional Chinese glyphs).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Postscript name of the Traditional Chinese face inside the Noto Sans CJK collection (.ttc). */
export const CJK_TC_POSTSCRIPT_NAME = 'NotoSansCJKtc-Regular';

const CANDIDATES = [
  // Debian / Ubuntu: fonts-noto-cjk
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJKtc-Regular.otf',
  // Fedora (google-noto-sans-cjk-fonts), Arch (noto-fonts-cjk), Alpine (font-noto-cjk)
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJKtc-Regular.otf',
  '/usr/share/fonts/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/OTF/NotoSansCJKtc-Regular.otf',
  '/usr/local/share/fonts/NotoSansCJK-Regular.ttc',
  '/usr/local/share/fonts/NotoSansCJKtc-Regular.otf',
  // macOS (Homebrew cask font-noto-sans-cjk-tc, or installed by hand)
  '/Library/Fonts/NotoSansCJKtc-Regular.otf',
  '/Library/Fonts/NotoSansCJK-Regular.ttc',
  join(homedir(), 'Library/Fonts/NotoSansCJKtc-Regular.otf'),
  join(homedir(), 'Library/Fonts/NotoSansCJK-Regular.ttc'),
  join(homedir(), '.local/share/fonts/NotoSansCJKtc-Regular.otf'),
  join(homedir(), '.local/share/fonts/NotoSansCJK-Regular.ttc'),
];

/** Path of a Noto Sans CJK font; env OMD_CJK_FONT overrides. Throws a clear Error when none is found. */
export function findCjkFont(): string {
  return findCjkFontIn(CANDIDATES, process.env.OMD_CJK_FONT);
}

/** findCjkFont with the places to look made explicit, for tests. */
export function findCjkFontIn(candidates: readonly string[], override: string | undefined): string {
  if (override !== undefined && override !== '') {
    if (!existsSync(override)) throw new Error(`OMD_CJK_FONT names ${override}, which does not exist`);
    return override;
  }
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      'No Noto Sans CJK font found for the PDF. Install the Debian/Ubuntu package fonts-noto-cjk ' +
        '(apt-get install fonts-noto-cjk), or set OMD_CJK_FONT to the path of NotoSansCJK-Regular.ttc or NotoSansCJKtc-Regular.otf.',
    );
  }
  return found;
}

export interface CjkFont {
  path: string;
  bytes: Buffer;
  /** Face to pick inside a collection (.ttc); undefined for a single-face file. */
  postscriptName: string | undefined;
  /**
   * The face parsed once by pdfkit's own fontkit, handed to every document: parsing the layout
   * tables per document costs about half of a render. undefined when fontkit cannot be reached,
   * in which case each document parses `bytes` itself.
   */
  parsed: object | undefined;
}

interface Fontkit {
  create(buffer: Uint8Array, postscriptName?: string): unknown;
}

let cached: CjkFont | undefined;

/** Reads (and parses) the font file once per process: agencies render many PDFs and the file is ~20 MB. */
export function loadCjkFont(): CjkFont {
  if (cached === undefined) {
    const path = findCjkFont();
    const bytes = readFileSync(path);
    // 'ttcf' magic: a collection, from which the Traditional Chinese face is chosen by name.
    const isCollection = bytes.subarray(0, 4).toString('latin1') === 'ttcf';
    const postscriptName = isCollection ? CJK_TC_POSTSCRIPT_NAME : undefined;
    cached = { path, bytes, postscriptName, parsed: parseWithPdfkitsFontkit(bytes, postscriptName) };
  }
  return cached;
}

function parseWithPdfkitsFontkit(bytes: Buffer, postscriptName: string | undefined): object | undefined {
  try {
    // The fontkit pdfkit itself depends on, so the parsed face is the kind pdfkit expects.
    const require = createRequire(import.meta.url);
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as Fontkit;
    const face = fontkit.create(bytes, postscriptName);
    return typeof face === 'object' && face !== null && typeof (face as { layout?: unknown }).layout === 'function' ? face : undefined;
  } catch {
    return undefined;
  }
}
