import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMaintenance } from '../src/maintenance.ts';
import { readProblem, startHarness, testClock } from './fixtures.ts';

// Taipei is UTC+8 all year: 2025-06-02 is a Monday.
const taipei = (local: string): Date => new Date(`${local}+08:00`);

describe('maintenance windows', () => {
  it('finds the seconds until a daily window ends, and nothing outside it', () => {
    const until = compileMaintenance([{ start: '02:00', end: '04:00' }]);
    assert.equal(until(taipei('2025-06-02T01:59:59')), null);
    assert.equal(until(taipei('2025-06-02T02:00:00')), 7200);
    assert.equal(until(taipei('2025-06-02T03:59:30')), 30);
    assert.equal(until(taipei('2025-06-02T04:00:00')), null);
  });

  it('runs a window past midnight when end is not after start, counting from its start day', () => {
    const until = compileMaintenance([{ days: [6], start: '23:00', end: '01:00' }]); // Saturday night
    assert.equal(until(taipei('2025-06-07T23:30:00')), 5400);
    assert.equal(until(taipei('2025-06-08T00:30:00')), 1800, 'Sunday 00:30 is still in Saturday night’s window');
    assert.equal(until(taipei('2025-06-08T23:30:00')), null, 'Sunday night has no window');
  });

  it('follows touching windows to the real end', () => {
    const until = compileMaintenance([
      { start: '23:00', end: '00:00' },
      { start: '00:00', end: '01:00' },
    ]);
    assert.equal(until(taipei('2025-06-02T23:30:00')), 5400);
  });

  it('respects another time zone', () => {
    const until = compileMaintenance([{ start: '02:00', end: '03:00', timeZone: 'UTC' }]);
    assert.equal(until(new Date('2025-06-02T02:30:00Z')), 1800);
    assert.equal(until(taipei('2025-06-02T02:30:00')), null);
  });

  it('refuses bad windows at start-up with a message naming them', () => {
    assert.throws(() => compileMaintenance([{ start: '2:00', end: '03:00' }]), /maintenance\[0\]\.start/);
    assert.throws(() => compileMaintenance([{ start: '02:00', end: '02:00' }]), /maintenance\[0\]/);
    assert.throws(() => compileMaintenance([{ days: [7], start: '02:00', end: '03:00' }]), /maintenance\[0\]\.days/);
    assert.throws(() => compileMaintenance([{ start: '02:00', end: '03:00', timeZone: 'Mars/Olympus' }]), /timeZone/);
  });

  it('answers 503 under_maintenance with Retry-After until the window ends', async () => {
    const clock = testClock(taipei('2025-06-02T02:59:00'));
    const h = await startHarness({
      now: clock.now,
      maintenance: [{ days: [1], start: '02:00', end: '03:00' }],
    });
    try {
      const response = await h.post(await h.hub.sign({ now: clock.now() }));
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '60');
      assert.equal((await readProblem(response)).problem.code, 'under_maintenance');
      clock.advance(60);
      const open = await h.post(await h.hub.sign({ now: clock.now() }));
      assert.equal(open.status, 200);
    } finally {
      await h.close();
    }
  });
});
