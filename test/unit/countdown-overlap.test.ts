import { generateCountdownTraces } from '../../core/traces/countdown';
import { countdownOverlap } from '../../core/traces/overlap';

describe('countdownOverlap', () => {
  it('matches numbers in any order with the same target, and nothing else', () => {
    const training = [
      { nums: [3, 5], target: 8 },
      { nums: [2, 2], target: 4 },
    ];
    expect(
      countdownOverlap(
        [
          { nums: [5, 3], target: 8 }, // same problem, other order
          { nums: [3, 5], target: 15 }, // same numbers, other target
          { nums: [2], target: 4 }, // a number missing
          { nums: [2, 2], target: 4 },
        ],
        training,
      ),
    ).toEqual({ shared: 2, of: 4 });
    expect(countdownOverlap([], training)).toEqual({ shared: 0, of: 0 });
  });

  it('finds every problem when evaluating on the training problems themselves', () => {
    const shape = { minNumbers: 2, maxNumbers: 2, numberMax: 9, targetMin: 1, targetMax: 100 };
    const traces = generateCountdownTraces(50, 7, shape);
    expect(countdownOverlap(traces, traces)).toEqual({ shared: 50, of: 50 });
    const bigger = generateCountdownTraces(20, 7, {
      ...shape,
      numberMax: 99,
      targetMin: 200,
      targetMax: 10_000,
    });
    expect(countdownOverlap(bigger, traces)).toEqual({ shared: 0, of: 20 });
  });
});
