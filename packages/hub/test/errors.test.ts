import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CATALOGUE, RETIRED_ERROR_CODES } from '../src/errors/catalogue.ts';
import { AppError, languageOf, problemOf } from '../src/errors/problem.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('every code in the catalogue has an error status and titles in both languages', () => {
  for (const [code, def] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(code, /^[a-z][a-z_]+$/, code);
    assert.ok(def.status >= 400 && def.status < 600, `${code} status`);
    assert.ok(def.title.en.length > 0 && def.title['zh-TW'].length > 0, `${code} titles`);
  }
});

test('retired codes are never reused', () => {
  for (const code of RETIRED_ERROR_CODES) assert.ok(!Object.hasOwn(ERROR_CATALOGUE, code), `${code} was retired`);
});

test('every code the source raises is in the catalogue', () => {
  const src = join(import.meta.dirname, '../src');
  const used = new Set<string>();
  for (const file of sourceFiles(src)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/new AppError\(\s*'([a-z_]+)'/g)) used.add(match[1] as string);
  }
  assert.ok(used.size >= 3, 'the scan found the raises');
  for (const code of used) assert.ok(Object.hasOwn(ERROR_CATALOGUE, code), `${code} is raised but not catalogued`);
});

test('problems render as RFC 9457 with a stable type and the client language', () => {
  const problem = problemOf('dataset_not_found', { detail: 'x', language: 'zh-TW' });
  assert.equal(problem.type, '/problems/dataset_not_found');
  assert.equal(problem.status, 404);
  assert.equal(problem.title, '查無此資料集');
  assert.equal(new AppError('rate_limited').status, 429);
  assert.equal(languageOf('zh-TW,zh;q=0.9,en;q=0.5'), 'zh-TW');
  assert.equal(languageOf('en-GB'), 'en');
  assert.equal(languageOf(undefined), 'en');
});
