import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../src/population/random.ts';

describe('Random', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const drawsA = Array.from({ length: 50 }, () => a.nextUint32());
    const drawsB = Array.from({ length: 50 }, () => b.nextUint32());
    assert.deepEqual(drawsA, drawsB);
  });

  it('differs between seeds', () => {
    assert.notEqual(new Random(1).nextUint32(), new Random(2).nextUint32());
  });

  it('keeps integers inside the inclusive range and reaches both ends', () => {
    const random = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const n = random.int(3, 6);
      assert.ok(n >= 3 && n <= 6);
      seen.add(n);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  });

  it('rejects empty choices and bad ranges', () => {
    const random = new Random(1);
    assert.throws(() => random.pick([]), RangeError);
    assert.throws(() => random.weighted([]), RangeError);
    assert.throws(() => random.int(5, 4), RangeError);
  });

  it('never picks a zero-weight choice', () => {
    const random = new Random(9);
    for (let i = 0; i < 500; i++)
      assert.notEqual(
        random.weighted([
          ['never', 0],
          ['always', 1],
        ] as const),
        'never',
      );
  });

  it('shuffles without losing or adding items and leaves the input alone', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = new Random(3).shuffle(input);
    assert.deepEqual([...shuffled].sort(), input);
    assert.deepEqual(input, [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
