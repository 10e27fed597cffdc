import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';
import { recordsFor } from '../../src/population/records.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Chunk {
  type: string;
  data: Buffer;
}

/** Reads every chunk, checking each CRC, as a strict decoder would. */
function readChunks(png: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const crc = png.readUInt32BE(at + 8 + length);
    assert.equal(crc, crc32(png.subarray(at + 4, at + 8 + length)) >>> 0, `CRC of ${type}`);
    chunks.push({ type, data });
    at += 12 + length;
  }
  return chunks;
}

describe('ID card image', () => {
  const image = recordsFor('id-card-image', 'A123456789')?.records[0]?.image_png;

  it('is a base64 PNG with a parseable IHDR', () => {
    assert.equal(typeof image, 'string');
    const png = Buffer.from(String(image), 'base64');
    assert.deepEqual(png.subarray(0, 8), SIGNATURE);
    const chunks = readChunks(png);
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['IHDR', 'IDAT', 'IEND'],
    );
    const ihdr = chunks[0]?.data;
    assert.ok(ihdr);
    assert.equal(ihdr.length, 13);
    const width = ihdr.readUInt32BE(0);
    const height = ihdr.readUInt32BE(4);
    assert.deepEqual([width, height], [320, 200]);
    assert.deepEqual([...ihdr.subarray(8)], [8, 2, 0, 0, 0]);
    const pixels = inflateSync(chunks[1]?.data ?? Buffer.alloc(0));
    assert.equal(pixels.length, (width * 3 + 1) * height);
  });
});
