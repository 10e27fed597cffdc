// Finding and loading the Traditional Chinese font the PDFs are set in: a configured file, else the
// Noto Sans TC this package depends on (Node alone is enough, and its TrueType outlines subset in a
// fraction of the time a CFF collection takes), with a system Noto Sans CJK as the fallback for a
// document holding a character the npm font lacks (rare characters of names, CJK extensions).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Postscript name of the Traditional Chinese face inside the Noto Sans CJK collection (.ttc). */
export const CJK_TC_POSTSCRIPT_NAME = 'NotoSansCJKtc-Regular';

/** The font file inside the npm package @expo-google-fonts/noto-sans-tc (Google Fonts' Noto Sans TC, OFL). */
const BUNDLED_FONT = '@expo-google-fonts/noto-sans-tc/400Regular/NotoSansTC_400Regular.ttf';

/** Noto Sans CJK as operating systems install it; the full CJK coverage, so preferred when present. */
export const SYSTEM_CJK_FONTS: readonly string[] = [
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

export interface FontPlaces {
  /** OMD_CJK_FONT: a file the operator chose; it must exist. */
  override: string | undefined;
  /** System paths to try in order; empty when OMD_IGNORE_SYSTEM_TOOLS=1. */
  system: readonly string[];
  /** The font shipped through npm, or undefined when the package cannot be resolved. */
  bundled: string | undefined;
}

/**
 * Path of the PDF font: OMD_CJK_FONT if set, else the npm Noto Sans TC, else a system Noto Sans CJK
 * (skipped when OMD_IGNORE_SYSTEM_TOOLS=1). Throws a clear Error when none is there.
 */
export function findCjkFont(): string {
  return findCjkFontIn(fontPlaces());
}

/** findCjkFont with the places to look made explicit, for tests. */
export function findCjkFontIn(places: FontPlaces): string {
  const { override, system, bundled } = places;
  if (override !== undefined && override !== '') {
    if (!existsSync(override)) throw new Error(`OMD_CJK_FONT names ${override}, which does not exist`);
    return override;
  }
  const found = (bundled !== undefined && existsSync(bundled) ? bundled : undefined) ?? system.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      'No font for the PDF: the npm package @expo-google-fonts/noto-sans-tc is missing (run npm install), ' +
        'and no system Noto Sans CJK was found. Reinstall the dependencies, or set OMD_CJK_FONT to a Noto Sans CJK/TC font file.',
    );
  }
  return found;
}

/**
 * The font for documents the first one cannot set: a system Noto Sans CJK when the first is the npm
 * font (whose coverage is smaller); none when the operator chose the font (OMD_CJK_FONT).
 */
export function findFallbackFontIn(places: FontPlaces, primary: string): string | undefined {
  if (places.override !== undefined && places.override !== '') return undefined;
  return places.system.find((path) => path !== primary && existsSync(path));
}

function fontPlaces(): FontPlaces {
  return {
    override: process.env.OMD_CJK_FONT,
    system: process.env.OMD_IGNORE_SYSTEM_TOOLS === '1' ? [] : SYSTEM_CJK_FONTS,
    bundled: bundledCjkFont(),
  };
}

/** The npm font's path, or undefined when the dependency is not installed. */
export function bundledCjkFont(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(BUNDLED_FONT);
  } catch {
    return undefined;
  }
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
  parsed: SharedFace | undefined;
}

/**
 * The parsed face as pdfkit sees it, plus what makes it cheap to share across documents: shaping
 * of the document's fixed wording kept between renders, and CFF subsetting without the per-document
 * cost of copying every subroutine slot.
 */
export interface SharedFace {
  /**
   * The text of the next document that carries nothing about the person (titles, labels, footers).
   * Words found in it are shaped once per process; anything else is shaped per document and not
   * kept, so no record value outlives its render in the cache.
   */
  fixedText(text: string): void;
}

interface GlyphPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

interface GlyphRun {
  glyphs: unknown[];
  positions: GlyphPosition[];
  readonly advanceWidth: number;
}

interface Face {
  layout(text: string, features?: unknown): GlyphRun;
  createSubset(): object;
  hasGlyphForCodePoint(codePoint: number): boolean;
}

interface Fontkit {
  create(buffer: Uint8Array, postscriptName?: string): unknown;
}

/** A cached index entry of fontkit's CFF reader: where a subroutine's bytes sit in the file. */
interface SubrLocation {
  offset: number;
  length: number;
}

/** The parts of fontkit's CFF subset (CFFSubset) whose subroutine copying is replaced. */
interface CffSubset {
  cff?: { stream: { pos: number; readBuffer(length: number): Uint8Array } };
  subsetSubrs?: (subrs: SubrLocation[], used: Record<number, boolean>) => Uint8Array[];
}

/** Shaped words of fixed wording across all documents; a few thousand cover any catalogue. */
const SHAPED_WORDS_MAX = 5000;

let cached: CjkFont | undefined;
/** The fallback font once loaded; null when there is none. */
let fallback: CjkFont | null | undefined;
/** Code points the first font was found to have (a document's text is checked against it). */
const covered = new Set<number>();

/** Reads (and parses) the font file once per process: agencies render many PDFs and the file is 7 to 20 MB. */
export function loadCjkFont(): CjkFont {
  cached ??= loadFontFile(findCjkFont());
  return cached;
}

/**
 * The font to set `text` in: the first font, unless it lacks a character of the text and a fallback
 * font exists, which is then loaded (once per process) and used for the whole document, so one
 * document never mixes two faces. Which characters the first font has is remembered; the text is not.
 */
export function cjkFontFor(text: string): CjkFont {
  const primary = loadCjkFont();
  const face = primary.parsed ? facesByShared.get(primary.parsed) : undefined;
  if (!face) return primary;
  for (const char of text) {
    const codePoint = char.codePointAt(0) as number;
    if (codePoint < 0x80 || covered.has(codePoint)) continue;
    if (face.hasGlyphForCodePoint(codePoint)) {
      covered.add(codePoint);
      continue;
    }
    if (fallback === undefined) {
      const path = findFallbackFontIn(fontPlaces(), primary.path);
      fallback = path === undefined ? null : loadFontFile(path);
    }
    return fallback ?? primary;
  }
  return primary;
}

function loadFontFile(path: string): CjkFont {
  const bytes = readFileSync(path);
  // 'ttcf' magic: a collection, from which the Traditional Chinese face is chosen by name.
  const isCollection = bytes.subarray(0, 4).toString('latin1') === 'ttcf';
  const postscriptName = isCollection ? CJK_TC_POSTSCRIPT_NAME : undefined;
  const face = parseWithPdfkitsFontkit(bytes, postscriptName);
  if (!face) return { path, bytes, postscriptName, parsed: undefined };
  const parsed = shareFace(face);
  facesByShared.set(parsed, face);
  return { path, bytes, postscriptName, parsed };
}

/** The fontkit face behind each shared face, for coverage checks. */
const facesByShared = new WeakMap<SharedFace, Face>();

function parseWithPdfkitsFontkit(bytes: Buffer, postscriptName: string | undefined): Face | undefined {
  try {
    // The fontkit pdfkit itself depends on, so the parsed face is the kind pdfkit expects.
    const require = createRequire(import.meta.url);
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as Fontkit;
    const face = fontkit.create(bytes, postscriptName);
    return typeof face === 'object' &&
      face !== null &&
      typeof (face as Partial<Face>).layout === 'function' &&
      typeof (face as Partial<Face>).createSubset === 'function' &&
      typeof (face as Partial<Face>).hasGlyphForCodePoint === 'function'
      ? (face as Face)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The face seen through an object of its own (its prototype is the face, so pdfkit reads every
 * table as before) whose layout and createSubset are the cheaper ones described on SharedFace.
 */
function shareFace(face: Face): Face & SharedFace {
  // Word -> glyphs and unscaled positions; Map order doubles as least-recently-used order.
  const shaped = new Map<string, { glyphs: unknown[]; positions: GlyphPosition[] }>();
  let fixed = '';
  const shared = Object.create(face) as Face & SharedFace;
  shared.fixedText = (text) => {
    fixed = text;
  };
  shared.layout = (text, features) => {
    if (features !== undefined || !fixed.includes(text)) return face.layout(text, features);
    let run = shaped.get(text);
    if (run === undefined) {
      const fresh = face.layout(text);
      run = { glyphs: fresh.glyphs, positions: fresh.positions.map((p) => ({ ...p })) };
      if (shaped.size >= SHAPED_WORDS_MAX) shaped.delete(shaped.keys().next().value as string);
    } else {
      shaped.delete(text);
    }
    shaped.set(text, run);
    return runOf(run.glyphs, run.positions);
  };
  shared.createSubset = () => {
    const subset = face.createSubset() as CffSubset;
    if (subset.cff !== undefined && typeof subset.subsetSubrs === 'function') subset.subsetSubrs = subsetSubrs(subset.cff);
    return subset;
  };
  return shared;
}

/** A fresh run over kept glyphs: pdfkit scales the positions it gets in place, so each caller gets copies. */
function runOf(glyphs: unknown[], positions: readonly GlyphPosition[]): GlyphRun {
  const copies = positions.map((p) => ({ ...p }));
  return {
    glyphs,
    positions: copies,
    get advanceWidth() {
      return copies.reduce((sum, p) => sum + p.xAdvance, 0);
    },
  };
}

/** Subroutine bytes already read, per subroutine index of the (one, process-wide) parsed face. */
const readSubrs = new WeakMap<SubrLocation[], Uint8Array[]>();

/** One-byte charstring 'return': what fontkit writes in place of every subroutine a subset does not use. */
const RETURN_ONLY = new Uint8Array([11]);

/**
 * fontkit's CFF subset keeps every subroutine slot (Noto Sans CJK has about 46,000 across its font
 * dicts), allocating a stub for each unused one and reading each used one from the file again: the
 * larger part of a render. Same bytes out, with one shared stub and each used subroutine read once
 * per process.
 */
function subsetSubrs(cff: NonNullable<CffSubset['cff']>): NonNullable<CffSubset['subsetSubrs']> {
  return (subrs, used) => {
    let read = readSubrs.get(subrs);
    if (read === undefined) {
      read = [];
      readSubrs.set(subrs, read);
    }
    const out: Uint8Array[] = new Array(subrs.length);
    for (let i = 0; i < subrs.length; i++) {
      if (!used[i]) {
        out[i] = RETURN_ONLY;
        continue;
      }
      let bytes = read[i];
      if (bytes === undefined) {
        const subr = subrs[i] as SubrLocation;
        cff.stream.pos = subr.offset;
        bytes = cff.stream.readBuffer(subr.length);
        read[i] = bytes;
      }
      out[i] = bytes;
    }
    return out;
  };
}
