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

test('lower-case and glued IDs are masked too; request logs keep method, URL and status', async () => {
  const { logger, text } = captureLogs();
  logger.info({ ref: 'ref_a123456789', deep: { a: { b: { c: { d: { e: { f: { g: 'F131104093' } } } } } } } }, 'id a123456789 seen');
  const out = text();
  assert.doesNotMatch(out, /a123456789/i);
  assert.doesNotMatch(out, /F131104093/);
  assert.match(out, /"name":"hub"/, 'the logger keeps its own name');
  const { startTestHub } = await import('./helpers/hub.ts');
  const t = await startTestHub();
  try {
    await fetch(`${t.url}/api/v1/agencies`);
    assert.match(t.logs(), /"method":"GET"/);
    assert.match(t.logs(), /"url":"\/api\/v1\/agencies"/);
    assert.match(t.logs(), /"statusCode":200/);
  } finally {
    await t.stop();
  }
});

test('request logs hide one-time tokens and OIDC callback codes', async () => {
  const { startTestHub } = await import('./helpers/hub.ts');
  const t = await startTestHub();
  try {
    await fetch(`${t.url}/download/files/${'A'.repeat(43)}`);
    await fetch(`${t.url}/login/oidc/callback?code=secret-code-123&state=s`);
    assert.doesNotMatch(t.logs(), /AAAAAAAAAAAAAAAAAAAA/);
    assert.doesNotMatch(t.logs(), /secret-code-123/);
    assert.match(t.logs(), /\/download\/files\/\[token\]/);
  } finally {
    await t.stop();
  }
});

test('an ID or a name in a path, a query or a header never reaches the log', async () => {
  const { startTestHub } = await import('./helpers/hub.ts');
  const t = await startTestHub();
  const name = '王小明';
  try {
    const probes = [
      `/catalogue?q=F131104093`,
      `/catalogue?q=${encodeURIComponent(name)}&lang=en`,
      `/catalogue/F131104093`,
      `/catalogue/${encodeURIComponent(name)}`,
      `/api/v1/datasets?q=${encodeURIComponent(`${name} F131104093`)}`,
      `/download/consent?datasets=F131104093`,
    ];
    for (const path of probes)
      await fetch(`${t.url}${path}`, { headers: { accept: 'text/html', 'x-note': 'F131104093', referer: `http://example.test/${encodeURIComponent(name)}` } });
    const logs = t.logs();
    assert.doesNotMatch(logs, /F131104093/i);
    assert.ok(!logs.includes(name), 'no name in the log');
    assert.ok(!logs.includes(encodeURIComponent(name)), 'no percent-encoded name in the log');
    assert.match(logs, /"url":"\/catalogue\?q=…"/, 'the shape of the request stays');
    assert.match(logs, /"url":"\/catalogue\?q=…&lang=en"/, 'known codes stay');
    assert.match(logs, /"url":"\/catalogue\/\[text\]"/);
  } finally {
    await t.stop();
  }
});
