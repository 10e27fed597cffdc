// The download password: the length rule, and the strength estimate the portal shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDownloadPassword, DownloadError, PASSWORD_HINT_MESSAGES, passwordStrength } from '../../src/delivery/download/index.ts';

test('at least 10 characters, counted as a person counts them', () => {
  assert.throws(
    () => checkDownloadPassword('123456789'),
    (e: unknown) => e instanceof DownloadError && e.code === 'password_too_short',
  );
  assert.throws(
    () => checkDownloadPassword(''),
    (e: unknown) => e instanceof DownloadError && e.code === 'password_too_short',
  );
  assert.equal(checkDownloadPassword('1234567890'), '1234567890');
  assert.equal(checkDownloadPassword('我的資料我作主好嗎嗎'), '我的資料我作主好嗎嗎');
  assert.throws(
    () => checkDownloadPassword('tab\tin the middle'),
    (e: unknown) => e instanceof DownloadError && e.code === 'password_invalid_characters',
  );
  // Composed and decomposed accents give the same password.
  assert.equal(checkDownloadPassword('cafe\u0301 au lait!'), 'caf\u00e9 au lait!');
});

test("'aaaaaaaaaa' ranks below 'correct horse battery staple 9!'", () => {
  const weak = passwordStrength('aaaaaaaaaa');
  const strong = passwordStrength('correct horse battery staple 9!');
  assert.ok(weak.score < strong.score, `${weak.score} < ${strong.score}`);
  assert.equal(weak.score, 0);
  assert.equal(strong.score, 4);
  assert.ok(weak.hints.includes('avoid_repeats'));
  assert.deepEqual(strong.hints, []);
});

test('scores rise with length and variety, and fall for runs, repeats and common choices', () => {
  const score = (pw: string) => passwordStrength(pw).score;
  assert.ok(score('qzmvkrtplw') < score('qzmvkrtplwXj'));
  assert.ok(score('qzmvkrtplwXj') < score('qzmvkrtplwXj 4#'));
  assert.equal(score('0123456789'), 0);
  assert.equal(score('qwertyuiop'), 0);
  assert.equal(score('abcabcabcabc'), 0);
  assert.ok(score('password123') <= 1);
  assert.ok(passwordStrength('qwertyuiop').hints.includes('avoid_sequences'));
  assert.ok(passwordStrength('Password2024').hints.includes('avoid_common'));
  assert.ok(passwordStrength('short').hints.includes('too_short'));
  assert.ok(passwordStrength('lowercaseonly').hints.includes('add_variety'));
});

test('what the person must not use (their ID number) caps the score', () => {
  const result = passwordStrength('A123456789 is mine', { avoid: ['A123456789'] });
  assert.ok(result.score <= 1);
  assert.ok(result.hints.includes('avoid_personal'));
});

test('every hint has a message in both languages', () => {
  for (const pw of ['', 'aaaaaaaaaa', 'qwerty', 'password', 'x', 'A123456789']) {
    for (const hint of passwordStrength(pw, { avoid: ['A123456789'] }).hints) {
      assert.ok(PASSWORD_HINT_MESSAGES[hint].en && PASSWORD_HINT_MESSAGES[hint]['zh-TW']);
    }
  }
});
