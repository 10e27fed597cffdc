import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFieldValue, minguoYear } from '../src/fields.ts';

test('years read as Taiwanese documents write them in Chinese and as the plain year in English, never grouped', () => {
  assert.equal(minguoYear(2025), '民國114年');
  assert.equal(minguoYear(1912), '民國1年');
  assert.equal(minguoYear(1911), '民國前1年');
  assert.equal(formatFieldValue(2025, 'year', 'zh-TW'), '民國114年');
  assert.equal(formatFieldValue(2025, 'year', 'en'), '2025');
  assert.doesNotMatch(formatFieldValue(2025, 'year', 'en'), /,/);
});

test('amounts are grouped; dates read 民國 in Chinese and ISO in English; yes/no and none in words', () => {
  assert.equal(formatFieldValue(1234567, 'number', 'en'), '1,234,567');
  assert.equal(formatFieldValue(1234567, 'number', 'zh-TW'), '1,234,567');
  assert.equal(formatFieldValue('2024-03-05', 'date', 'zh-TW'), '民國113年3月5日');
  assert.equal(formatFieldValue('2024-03-05T10:00:00+08:00', 'date', 'en'), '2024-03-05');
  assert.equal(formatFieldValue('not a date', 'date', 'en'), 'not a date');
  assert.equal(formatFieldValue(true, 'boolean', 'zh-TW'), '是');
  assert.equal(formatFieldValue(false, 'boolean', 'en'), 'No');
  assert.equal(formatFieldValue(null, 'string', 'en'), '—');
  assert.equal(formatFieldValue('iVBORw0KGgo', 'image', 'en'), '');
});
