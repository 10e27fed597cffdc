import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

test('defaults: port 3000 on localhost, SQLite under var/', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.publicUrl, 'http://localhost:3000');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, 'var');
  assert.equal(config.broker.maxPreparationSeconds, 5400);
  assert.equal(config.broker.agencyConcurrency, 8);
  assert.equal(config.broker.agencyQueue, 500);
});

test('HUB_PORT moves the hub and its public URL', () => {
  const config = loadConfig({ HUB_PORT: '4100' });
  assert.equal(config.port, 4100);
  assert.equal(config.publicUrl, 'http://localhost:4100');
});

test('every bad value is named in one message', () => {
  try {
    loadConfig({ HUB_PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', HUB_SECRET: 'short' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const text = error.message;
    for (const name of ['HUB_PORT', 'DATABASE_URL', 'LOG_LEVEL', 'HUB_SECRET']) assert.match(text, new RegExp(name));
    assert.equal(error.problems.length, 4);
  }
});

test('production refuses to start without HUB_SECRET', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /HUB_SECRET: required/);
  const secret = Buffer.alloc(32, 7).toString('base64');
  assert.equal(loadConfig({ NODE_ENV: 'production', HUB_SECRET: secret }).secret?.length, 32);
});

test('out-of-range numbers are refused', () => {
  assert.throws(() => loadConfig({ HUB_PORT: '70000' }), ConfigError);
  assert.throws(() => loadConfig({ BROKER_MAX_ATTEMPTS: '0' }), ConfigError);
  assert.throws(() => loadConfig({ BROKER_AGENCY_CONCURRENCY: '0' }), /BROKER_AGENCY_CONCURRENCY/);
  assert.throws(() => loadConfig({ BROKER_AGENCY_QUEUE: '-1' }), /BROKER_AGENCY_QUEUE/);
  assert.equal(loadConfig({ BROKER_AGENCY_CONCURRENCY: '2', BROKER_AGENCY_QUEUE: '0' }).broker.agencyQueue, 0);
});

test('empty variables count as unset', () => {
  const config = loadConfig({ DATABASE_URL: '', HUB_PORT: '', HUB_SECRET: '' });
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.port, 3000);
});
