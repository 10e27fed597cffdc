// A stylised national ID card picture: the shapes of the card only, no personal text, identical for everyone.
import { encodePng, type Rgb } from './png.ts';

const WIDTH = 320;
const HEIGHT = 200;

const CARD: Rgb = [236, 242, 247];
const HEADER: Rgb = [28, 78, 137];
const ACCENT: Rgb = [196, 38, 46];
const PHOTO: Rgb = [188, 196, 206];
const TEXT_LINE: Rgb = [120, 132, 148];
const BORDER: Rgb = [90, 104, 122];

/** Plum-blossom-ish emblem: a red disc in the header. */
function inEmblem(x: number, y: number): boolean {
  return (x - 26) ** 2 + (y - 20) ** 2 <= 12 ** 2;
}

function pixel(x: number, y: number): Rgb {
  const isBorder = x < 2 || y < 2 || x >= WIDTH - 2 || y >= HEIGHT - 2;
  if (isBorder) return BORDER;
  if (y < 40) return inEmblem(x, y) ? ACCENT : HEADER;
  if (y < 44) return ACCENT;
  // Photo box on the right, as on the real card.
  if (x >= 218 && x < 300 && y >= 58 && y < 168) return PHOTO;
  // Grey bars where name, birth date, issue date and ID number would be printed.
  const lines: ReadonlyArray<readonly [number, number]> = [
    [62, 150],
    [86, 190],
    [110, 170],
    [134, 120],
  ];
  for (const [top, length] of lines) {
    if (y >= top && y < top + 8 && x >= 20 && x < 20 + length) return TEXT_LINE;
  }
  if (y >= 170 && y < 184 && x >= 20 && x < 200) return HEADER;
  return CARD;
}

let cached: string | undefined;

/** Base64 PNG, 320x200, built once. */
export function idCardPngBase64(): string {
  cached ??= encodePng(WIDTH, HEIGHT, pixel).toString('base64');
  return cached;
}
