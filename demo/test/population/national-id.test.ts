import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRocDate } from '../../src/population/dates.ts';
import { checkDigit, isValidNationalIdChecksum, randomNationalId, withCheckDigit } from '../../src/population/national-id.ts';
import { Random } from '../../src/population/random.ts';

describe('national ID checksum', () => {
  it('accepts the well-known example A123456789', () => {
    assert.equal(isValidNationalIdChecksum('A123456789'), true);
  });

  it('rejects B287654321 and accepts its corrected form B287654326', () => {
    assert.equal(isValidNationalIdChecksum('B287654321'), false);
    assert.equal(checkDigit('B', '28765432'), 6);
    assert.equal(isValidNationalIdChecksum('B287654326'), true);
  });

  it('rejects a changed digit, a bad sex digit and bad shapes', () => {
    assert.equal(isValidNationalIdChecksum('A123456780'), false);
    assert.equal(isValidNationalIdChecksum('A323456789'), false);
    assert.equal(isValidNationalIdChecksum('a123456789'), false);
    assert.equal(isValidNationalIdChecksum('A12345678'), false);
  });

  it('uses the out-of-order letter codes (I=34, O=35, W=32, Z=33)', () => {
    for (const letter of ['I', 'O', 'W', 'Z']) {
      assert.equal(isValidNationalIdChecksum(withCheckDigit(letter, '10000000')), true);
    }
    // I is 34: 3*1 + 4*9 + 1*8 = 47, so the check digit is 3.
    assert.equal(withCheckDigit('I', '10000000'), 'I100000003');
  });

  it('generates valid IDs carrying the sex digit', () => {
    const random = new Random(11);
    for (let i = 0; i < 200; i++) {
      const male = randomNationalId(random, 'E', 'M');
      const female = randomNationalId(random, 'F', 'F');
      assert.ok(isValidNationalIdChecksum(male) && male.startsWith('E1'));
      assert.ok(isValidNationalIdChecksum(female) && female.startsWith('F2'));
    }
  });
});

describe('toRocDate', () => {
  it('writes ROC-era dates', () => {
    assert.equal(toRocDate('1991-03-05'), '民國80年3月5日');
    assert.equal(toRocDate('1912-01-01'), '民國1年1月1日');
    assert.equal(toRocDate('2026-11-01'), '民國115年11月1日');
  });

  it('rejects impossible and pre-ROC dates', () => {
    assert.throws(() => toRocDate('2026-02-30'), RangeError);
    assert.throws(() => toRocDate('1911-12-31'), RangeError);
  });
});
