// The per-agency queue on its own: slots in arrival order, bounded length, deadline and shutdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Admission, AgencyQueue } from '../../src/broker/agency-queue.ts';

const LATER = () => Date.now() + 60_000;

function granted(admission: Admission): () => void {
  assert.ok(admission.ok, JSON.stringify(admission));
  return admission.release;
}

describe('AgencyQueue', () => {
  it('grants at most `concurrency` slots and hands freed ones to waiters in arrival order', async () => {
    const queue = new AgencyQueue(2, 10);
    const first = granted(await queue.acquire(LATER()));
    const second = granted(await queue.acquire(LATER()));
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      queue.acquire(LATER()).then((admission) => {
        order.push(n);
        return granted(admission);
      }),
    );
    assert.deepEqual(queue.load, { inFlight: 2, queued: 3 });
    first();
    first(); // releasing twice frees one slot only
    const third = await waiters[0];
    assert.deepEqual(queue.load, { inFlight: 2, queued: 2 });
    second();
    third?.();
    const [, fourth, fifth] = await Promise.all(waiters);
    assert.deepEqual(order, [1, 2, 3]);
    assert.deepEqual(queue.load, { inFlight: 2, queued: 0 });
    fourth?.();
    fifth?.();
    assert.deepEqual(queue.load, { inFlight: 0, queued: 0 });
  });

  it('refuses at once when the queue is full', async () => {
    const queue = new AgencyQueue(1, 1);
    const release = granted(await queue.acquire(LATER()));
    const waiting = queue.acquire(LATER());
    assert.deepEqual(await queue.acquire(LATER()), { ok: false, why: 'full' });
    release();
    granted(await waiting)();
    assert.deepEqual(queue.load, { inFlight: 0, queued: 0 });
  });

  it('gives up a wait at the deadline and on shutdown, leaving the others in place', async () => {
    const queue = new AgencyQueue(1, 10);
    const release = granted(await queue.acquire(LATER()));
    const controller = new AbortController();
    const stopped = queue.acquire(LATER(), controller.signal);
    const late = queue.acquire(Date.now() + 50);
    const patient = queue.acquire(LATER());
    assert.deepEqual(await late, { ok: false, why: 'deadline' });
    controller.abort();
    assert.deepEqual(await stopped, { ok: false, why: 'aborted' });
    assert.deepEqual(queue.load, { inFlight: 1, queued: 1 });
    release();
    granted(await patient)();
    assert.deepEqual(await queue.acquire(LATER(), controller.signal), { ok: false, why: 'aborted' });
  });
});
