import * as os from 'node:os';
import type { WorkflowHandle } from '@temporalio/client';
import { followRun } from '../../serve/runs';
import { ArtifactStore } from '../../io/artifacts';

/*
 * followRun against a handle double (the workflow side is covered by the serve integration tests):
 * progress is asked for while the run goes on, and the poll interval's timer does not outlive it.
 */

function handleDouble(resultAfterMs: number) {
  const queries: number[] = [];
  const result = new Promise((resolve) =>
    setTimeout(() => resolve({ method: 'sprint', text: 'the answer' }), resultAfterMs),
  );
  const handle = {
    result: () => result,
    query: (_q: unknown, from: number) => {
      queries.push(from);
      return Promise.resolve({ roundsFrom: from, rounds: [] });
    },
  } as unknown as WorkflowHandle;
  return { handle, queries };
}

describe('followRun', () => {
  const store = new ArtifactStore(os.tmpdir());
  afterEach(() => jest.restoreAllMocks());

  it('asks for progress, returns the result, and leaves no poll timer behind', async () => {
    const { handle, queries } = handleDouble(50);
    // The follower's interval timers, seen through spies (other timers of the process are left out).
    const realSetTimeout = global.setTimeout;
    const intervals: NodeJS.Timeout[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation((fn: () => void, ms?: number) => {
      const t = realSetTimeout(fn, ms);
      if (ms === 60_000) intervals.push(t);
      return t;
    });
    const cleared = jest.spyOn(global, 'clearTimeout');
    let progress = 0;
    const run = await followRun(handle, 'sprint', {
      pollMs: 60_000,
      store,
      onProgress: () => {
        progress += 1;
      },
    });
    expect(run.text).toBe('the answer');
    expect(queries).toEqual([0]);
    expect(progress).toBe(1);
    // The result came long before the 60 s interval: its timer must be gone with the follower.
    expect(intervals).toHaveLength(1);
    expect(cleared).toHaveBeenCalledWith(intervals[0]);
  });

  it('polls again every interval until the run ends', async () => {
    const { handle, queries } = handleDouble(120);
    await followRun(handle, 'sprint', { pollMs: 20, store, onProgress: () => undefined });
    expect(queries.length).toBeGreaterThanOrEqual(3);
  });
});
