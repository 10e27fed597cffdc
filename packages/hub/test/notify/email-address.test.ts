import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidEmail, parseMailbox } from '../../src/notify/index.ts';

test('ordinary addresses are valid, up to 254 characters', () => {
  for (const address of [
    'citizen@example.test',
    'chen.mei-ling+mydata@mail.example.org.tw',
    "o'brien@example.com",
    'a@b.co',
    `${'x'.repeat(64)}@example.test`,
    `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.tw`,
  ]) {
    assert.equal(isValidEmail(address), true, address);
  }
});

test('broken, dangerous and oversized addresses are not', () => {
  const tooLong = `${'a'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.example`;
  assert.equal(tooLong.length > 254, true);
  for (const address of [
    '',
    'citizen',
    '@example.test',
    'citizen@',
    'citizen@localhost',
    'citizen@127.0.0.1',
    'a..b@example.test',
    '.a@example.test',
    'a.@example.test',
    'citizen@-example.test',
    'citizen@example-.test',
    'citizen@example..test',
    'two@at@example.test',
    'with space@example.test',
    'citizen@example.test\r\nBcc: other@example.test',
    'citizen@example.test, other@example.test',
    '<citizen@example.test>',
    `${'x'.repeat(65)}@example.test`,
    tooLong,
  ]) {
    assert.equal(isValidEmail(address), false, JSON.stringify(address));
  }
  assert.equal(isValidEmail(undefined), false);
  assert.equal(isValidEmail(42), false);
});

test('a sender may be a bare address or a name with an address', () => {
  assert.deepEqual(parseMailbox('no-reply@openmydata.invalid'), { address: 'no-reply@openmydata.invalid' });
  assert.deepEqual(parseMailbox('OpenMyData <no-reply@openmydata.invalid>'), { name: 'OpenMyData', address: 'no-reply@openmydata.invalid' });
  assert.deepEqual(parseMailbox('"個人化資料平臺" <no-reply@example.org>'), { name: '個人化資料平臺', address: 'no-reply@example.org' });
  assert.deepEqual(parseMailbox('<no-reply@example.org>'), { address: 'no-reply@example.org' });
  for (const bad of ['OpenMyData', 'OpenMyData <not-an-address>', 'A <a@example.org> B', 'Evil\r\nBcc: x@example.org <a@example.org>', '']) {
    assert.equal(parseMailbox(bad), undefined, JSON.stringify(bad));
  }
});
