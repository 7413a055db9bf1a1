import fc from 'fast-check';
import { ExecutorSlots } from '../../workflows/session/executor-slots';

describe('ExecutorSlots (bounded executor concurrency)', () => {
  it('runs every task, never more than the limit at once, starting in submission order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20 }),
        async (limit, delays) => {
          const slots = new ExecutorSlots(limit);
          let running = 0;
          let peak = 0;
          const started: number[] = [];
          const results = await Promise.all(
            delays.map((d, i) =>
              slots
                .run(async () => {
                  started.push(i);
                  running += 1;
                  peak = Math.max(peak, running);
                  for (let t = 0; t < d; t++) await Promise.resolve();
                  running -= 1;
                  if (d === 3) throw new Error(`task ${i} failed`);
                  return i;
                })
                .catch(() => -1),
            ),
          );
          expect(results).toEqual(delays.map((d, i) => (d === 3 ? -1 : i)));
          expect(peak).toBeLessThanOrEqual(limit);
          expect(started).toEqual(delays.map((_, i) => i));
        },
      ),
    );
  });

  it('holds the tasks over the limit until a slot frees', async () => {
    const slots = new ExecutorSlots(3);
    const gates: (() => void)[] = [];
    let started = 0;
    const all = Promise.all(
      Array.from({ length: 7 }, () =>
        slots.run(async () => {
          started += 1;
          await new Promise<void>((resolve) => gates.push(resolve));
        }),
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(3);
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(4);
    while (started < 7 || gates.length) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await all;
    expect(started).toBe(7);
  });
});
