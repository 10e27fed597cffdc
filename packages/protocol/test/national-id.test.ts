import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPersonIdentifier, isValidPersonIdentifier } from '../src/national-id.ts';
import { seededBytes } from './helpers/raw-zip.ts';

// Synthetic numbers only: each check digit was computed by reference() below, not taken from a person.
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CODES = [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33];

/** An independent reference: the check digit for the first nine characters, by the published weights. */
function reference(prefix: string): string {
  const code = CODES[LETTERS.indexOf(prefix[0] as string)] as number;
  const second = /\d/.test(prefix[1] as string) ? Number(prefix[1]) : (CODES[LETTERS.indexOf(prefix[1] as string)] as number) % 10;
  const digits = [Math.floor(code / 10), code % 10, second, ...prefix.slice(2).split('').map(Number)];
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const sum = digits.reduce((acc, d, i) => acc + d * (weights[i] as number), 0);
  return String((10 - (sum % 10)) % 10);
}

describe('checkPersonIdentifier: valid numbers', () => {
  it('accepts a national ID', () => {
    assert.deepEqual(checkPersonIdentifier('A123456789'), { ok: true, kind: 'national-id', value: 'A123456789' });
    assert.deepEqual(checkPersonIdentifier('F131054472'), { ok: true, kind: 'national-id', value: 'F131054472' });
  });

  it('accepts the letters with out-of-order codes (I, O, W, X)', () => {
    for (const id of ['I123456781', 'O234567896', 'W187654323', 'X287654323']) {
      assert.equal(checkPersonIdentifier(id).ok, true, id);
    }
  });

  it('normalises lower case and surrounding white space', () => {
    assert.deepEqual(checkPersonIdentifier('a123456789'), { ok: true, kind: 'national-id', value: 'A123456789' });
    assert.deepEqual(checkPersonIdentifier('  f131054472\n'), { ok: true, kind: 'national-id', value: 'F131054472' });
  });

  it('accepts new-format resident certificate numbers (second digit 8 or 9)', () => {
    for (const id of ['A800000014', 'B901234562', 'Z800123451']) {
      assert.deepEqual(checkPersonIdentifier(id), { ok: true, kind: 'resident-certificate', value: id });
    }
  });

  it('accepts old-format resident certificate numbers (second letter A to D)', () => {
    for (const id of ['AA00000009', 'FA12345689', 'AC12345679', 'BD76543216']) {
      assert.deepEqual(checkPersonIdentifier(id), { ok: true, kind: 'resident-certificate-old', value: id });
    }
    assert.deepEqual(checkPersonIdentifier('fa12345689'), { ok: true, kind: 'resident-certificate-old', value: 'FA12345689' });
  });

  it('isValidPersonIdentifier agrees', () => {
    assert.equal(isValidPersonIdentifier('A123456789'), true);
    assert.equal(isValidPersonIdentifier('A123456788'), false);
    assert.equal(isValidPersonIdentifier('hello'), false);
  });
});

describe('checkPersonIdentifier: invalid numbers', () => {
  it('reports a bad check digit as checksum', () => {
    for (const id of ['A123456788', 'A800000015', 'FA12345688', 'B123456789']) {
      assert.deepEqual(checkPersonIdentifier(id), { ok: false, reason: 'checksum' }, id);
    }
  });

  it('reports two swapped digits as checksum', () => {
    assert.deepEqual(checkPersonIdentifier('A132456789'), { ok: false, reason: 'checksum' });
  });

  it('reports a wrong shape as shape', () => {
    const bad = [
      '',
      '   ',
      'A12345678',
      'A1234567890',
      'A12345678901234567890',
      '1234567890',
      'A323456789',
      'A023456789',
      'A723456789',
      'AE12345678',
      'AZ12345678',
      'A12345678X',
      'A1234 56789',
      'A123\t456789',
      'A 123456789',
      'A-123456789',
      'Ａ123456789',
      'A１２３４５６７８９',
      'A12345678٩',
    ];
    for (const id of bad) assert.deepEqual(checkPersonIdentifier(id), { ok: false, reason: 'shape' }, JSON.stringify(id));
  });

  it('never echoes the input in a failure', () => {
    const result = checkPersonIdentifier('A123456788');
    assert.equal(result.ok, false);
    assert.equal(JSON.stringify(result).includes('A123456788'), false);
  });
});

describe('checkPersonIdentifier: properties over many numbers', () => {
  // A deterministic sample stands in for a property-based generator (fast-check is not installed).
  const random = seededBytes(20240601, 4000);
  const prefixes: string[] = [];
  for (let i = 0; i + 10 <= random.length; i += 10) {
    const letter = LETTERS[(random[i] as number) % 26] as string;
    const kind = (random[i + 1] as number) % 3;
    const second =
      kind === 0
        ? String(1 + ((random[i + 2] as number) % 2))
        : kind === 1
          ? String(8 + ((random[i + 2] as number) % 2))
          : ('ABCD'[(random[i + 2] as number) % 4] as string);
    const rest = Array.from(random.subarray(i + 3, i + 10), (b) => String(b % 10)).join('');
    prefixes.push(letter + second + rest);
  }

  it('accepts exactly one check digit per prefix, the one the reference computes', () => {
    for (const prefix of prefixes) {
      const valid = '0123456789'.split('').filter((d) => checkPersonIdentifier(prefix + d).ok);
      assert.deepEqual(valid, [reference(prefix)], prefix);
    }
  });

  it('names the kind by the second character', () => {
    for (const prefix of prefixes) {
      const result = checkPersonIdentifier(prefix + reference(prefix));
      assert.ok(result.ok, prefix);
      const expected = /[12]/.test(prefix[1] as string)
        ? 'national-id'
        : /[89]/.test(prefix[1] as string)
          ? 'resident-certificate'
          : 'resident-certificate-old';
      assert.equal(result.kind, expected, prefix);
    }
  });

  it('notices a changed digit exactly when its weighted change is not a multiple of ten', () => {
    // Weights of positions 2..9 are 7..1 and 1: weight 5 misses even changes, even weights miss a change of 5.
    const weightOf = (position: number) => (position === 9 ? 1 : 9 - position);
    for (const prefix of prefixes.slice(0, 60)) {
      const id = prefix + reference(prefix);
      for (let position = 2; position < 10; position++) {
        for (let digit = 0; digit <= 9; digit++) {
          const delta = digit - Number(id[position]);
          if (delta === 0) continue;
          const changed = id.slice(0, position) + String(digit) + id.slice(position + 1);
          const undetectable = (weightOf(position) * delta) % 10 === 0;
          assert.deepEqual(checkPersonIdentifier(changed).ok, undetectable, changed);
        }
      }
    }
  });
});
