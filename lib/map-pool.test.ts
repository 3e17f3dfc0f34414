/**
 * createLimiter (issue 13): the batches an ingest prepares ahead share one set of image lanes, so
 * together they never have more images in flight than the lanes; waiters start in the order they
 * came, and a call that throws still hands its lane on.
 */
import { describe, expect, it } from 'vitest';
import { createLimiter } from './map-pool';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('createLimiter', () => {
  it('keeps at most `limit` calls in flight across callers, starts waiters in order, and frees a lane on a throw', async () => {
    const lanes = createLimiter(2);
    let inFlight = 0;
    let most = 0;
    const started: string[] = [];
    const job = (name: string, fail = false) => async () => {
      started.push(name);
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      inFlight--;
      if (fail) throw new Error(name);
      return name;
    };
    // Two "batches" asking at once, the first with a failing call.
    const a = ['a1', 'a2', 'a3'].map((n) => lanes(job(n, n === 'a2')));
    const b = ['b1', 'b2', 'b3'].map((n) => lanes(job(n)));
    const results = await Promise.allSettled([...a, ...b]);
    expect(most).toBe(2);
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    // Every lane came back: two more run together.
    inFlight = 0;
    most = 0;
    await Promise.all([lanes(job('c1')), lanes(job('c2'))]);
    expect(most).toBe(2);
  });
});
