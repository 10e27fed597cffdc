// An agency past maxConcurrent package requests answers 429 too_many_requests + Retry-After at once,
// instead of taking on work it cannot finish before the hub gives up on it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROVIDER_API } from '@openmydata/protocol';
import { createProvider } from '../src/index.ts';
import { AGENCY, householdDataset, readProblem, startHarness, SUBJECT } from './fixtures.ts';

/** A data set whose fetch waits until the test lets it answer, counting the fetches under way. */
function heldDataset() {
  const waiting: Array<() => void> = [];
  let arrived: () => void = () => {};
  let running = 0;
  let mostRunning = 0;
  const dataset = householdDataset({
    fetch: async () => {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await new Promise<void>((release) => {
        waiting.push(release);
        arrived();
      });
      running -= 1;
      return { records: [{ name: '測試人員', birth_date: '1990-05-17', members: 3, head: true }] };
    },
  });
  return {
    dataset,
    get mostRunning() {
      return mostRunning;
    },
    /** Resolves once n fetches are being held. */
    held(n: number): Promise<void> {
      return new Promise((resolve) => {
        arrived = () => {
          if (waiting.length >= n) resolve();
        };
        arrived();
      });
    },
    releaseAll(): void {
      for (const release of waiting.splice(0)) release();
    },
  };
}

describe('load shedding', () => {
  it('answers 429 too_many_requests with Retry-After beyond maxConcurrent, and takes requests again once one ends', async () => {
    const held = heldDataset();
    const h = await startHarness({ datasets: [held.dataset], maxConcurrent: 2 });
    try {
      const first = [h.post(await h.hub.sign()), h.post(await h.hub.sign())];
      await held.held(2);
      const shed = await h.post(await h.hub.sign());
      assert.equal(shed.status, 429);
      assert.equal(shed.headers.get('retry-after'), String(PROVIDER_API.minRetryAfterSeconds));
      assert.equal(shed.headers.get('content-type'), PROVIDER_API.problemMediaType);
      const { problem, text } = await readProblem(shed);
      assert.equal(problem.code, 'too_many_requests');
      assert.equal(problem.status, 429);
      assert.equal(text.includes(SUBJECT), false);
      assert.ok(
        h.logs.some((l) => l.msg === 'package request shed'),
        'the shedding is logged',
      );
      held.releaseAll();
      for (const response of await Promise.all(first)) {
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
      const later = h.post(await h.hub.sign());
      await held.held(1);
      held.releaseAll();
      assert.equal((await later).status, 200, 'a slot is free again once a request has ended');
      assert.equal(held.mostRunning, 2);
    } finally {
      held.releaseAll();
      await h.close();
    }
  });

  it('sheds before checking the token: an overloaded agency does no signature work for the extra request', async () => {
    const held = heldDataset();
    const h = await startHarness({ datasets: [held.dataset], maxConcurrent: 1 });
    try {
      const first = h.post(await h.hub.sign());
      await held.held(1);
      const shed = await h.post('not-a-token');
      assert.equal(shed.status, 429);
      assert.equal((await readProblem(shed)).problem.code, 'too_many_requests');
      held.releaseAll();
      assert.equal((await first).status, 200);
      assert.equal((await h.post('not-a-token')).status, 401, 'with a free slot the token is checked as usual');
    } finally {
      held.releaseAll();
      await h.close();
    }
  });

  it('refuses a maxConcurrent that is not a whole number of at least 1', () => {
    const base = { agency: AGENCY, datasets: [householdDataset()], hub: { issuer: 'https://hub.example', jwksUrl: 'https://hub.example/jwks' } };
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createProvider({ ...base, maxConcurrent: bad }), /maxConcurrent/, String(bad));
    }
    assert.doesNotThrow(() => createProvider({ ...base, maxConcurrent: Number.POSITIVE_INFINITY }));
  });
});
