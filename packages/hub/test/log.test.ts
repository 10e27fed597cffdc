import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskPersonIds } from '../src/log.ts';
import { captureLogs } from './helpers/log-capture.ts';

test('national IDs are masked wherever they appear in a log line', () => {
  const { logger, text } = captureLogs();
  logger.info({ subject: 'A123456789', note: 'asked for A123456789', nested: { list: ['B200000000x', 'F131104093'] } }, 'fetch for A123456789');
  logger.error({ err: new Error('agency failed for F131104093') }, 'oops');
  const out = text();
  assert.doesNotMatch(out, /A123456789/);
  assert.doesNotMatch(out, /F131104093/);
  assert.match(out, /\[redacted\]/);
  assert.match(out, /\[id\]/);
});

test('maskPersonIds keeps other text', () => {
  assert.equal(maskPersonIds('txn abc for A123456789 ok'), 'txn abc for [id] ok');
  assert.equal(maskPersonIds('order 1234567890'), 'order 1234567890');
});
