import { sessionRunInput } from '../../config';
import { controlQueue } from '../../config/queues';
import { dependentGaps, quantile, type TimedCall } from '../../core/session/call-gaps';
import { sessionWorkflow } from '../../workflows';
import { floorShape } from '../../bench/floor/shape';
import { FLOOR_QUEUES, startFloorWorkers } from '../../bench/floor/worker';
import type { floorSession } from '../../bench/floor/workflow';
import { overheadScenario } from '../../bench/overhead-scenario';
import { engineCalls } from '../../bench/session-timeline';
import { sprintScript } from '../helpers/sprint-script';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';

/*
 * Regression check of sprint's orchestration share (issue 28): a short session of the overhead
 * bench's shape, and Temporal's floor (bench/floor/: the same calls through a workflow without
 * sprint's code) on the same server, side by side, several times. Only ratios of figures measured
 * in this run are asserted, with generous margins, so a busy machine slows both sides alike; what
 * it catches is sprint's share growing several-fold (a client per call, a slow transport, heavy
 * work per scheduled call in the workflow). The precise figures are the bench's (npm run bench).
 */

/** Generous bounds: the bench measures the session's median gap within a few ms of the floor's. */
const GAP_RATIO_MAX = 2;
const GAP_SLACK_MS = 30;
const WALL_RATIO_MAX = 1.6;
const REPEATS = 3;

const allGaps = (calls: TimedCall[]) => {
  const g = dependentGaps(calls);
  return [...g.planToExecute, ...g.toPlan];
};
const median = (xs: number[]) => quantile(xs, 0.5);

describe("sprint's orchestration share against Temporal's floor (short run, ratios only)", () => {
  let stack: TestStack<'local'> | undefined;
  let floor: Awaited<ReturnType<typeof startFloorWorkers>> | undefined;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        session: { profile: 'platform', maxConcurrentExecutors: 64 },
      }),
      workers: ['all'],
    });
    floor = await startFloorWorkers(
      stack.server.address,
      stack.config.models.pools.local!.maxConcurrentCalls,
      { inProcess: true },
    );
  });
  afterAll(async () => {
    await floor?.stop();
    await stack?.close();
  });

  it('keeps the session within a small multiple of the floor: gaps and wall-clock', async () => {
    const { engine, config, client } = stack!;
    // Three rounds of four executors, short replies at 2 ms a token: about half a second of engine time.
    engine.setScript(sprintScript(overheadScenario(4, 0.3, 3), { perTokenDelayMs: 2 }));
    const input = sessionRunInput(config, 'overhead regression question');
    let n = 0;
    const session = async () => {
      const from = engine.requests.length;
      const t0 = Date.now();
      await client.workflow.execute(sessionWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: `overhead-session-${Date.now()}-${++n}`,
        args: [input],
      });
      return { wallMs: Date.now() - t0, calls: engineCalls(engine.requests.slice(from)) };
    };
    const floorRun = async (calls: TimedCall[]) => {
      const t0 = Date.now();
      const floorCalls = await client.workflow.execute<typeof floorSession>('floorSession', {
        taskQueue: FLOOR_QUEUES.workflow,
        workflowId: `overhead-floor-${Date.now()}-${++n}`,
        args: [floorShape(calls, FLOOR_QUEUES.calls)],
      });
      return { wallMs: Date.now() - t0, calls: floorCalls };
    };

    // Warm-up of both (workflow caches, connections, JIT), not counted.
    await floorRun((await session()).calls);

    const sessionGaps: number[] = [];
    const floorGaps: number[] = [];
    const wallRatios: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const s = await session();
      const f = await floorRun(s.calls);
      sessionGaps.push(...allGaps(s.calls));
      floorGaps.push(...allGaps(f.calls));
      wallRatios.push(s.wallMs / f.wallMs);
    }
    const sessionGap = median(sessionGaps);
    const floorGap = median(floorGaps);
    const wallRatio = median(wallRatios);
    // Printed so a failure (or a near miss) shows the numbers it was judged on.
    console.log(
      `overhead regression: median gap session ${sessionGap} ms vs floor ${floorGap} ms; session/floor wall ${wallRatio.toFixed(3)}`,
    );
    // Per session: 3 rounds of 4 executors after their plan, 2 plans after a round, the final plan after the last.
    expect(sessionGaps.length).toBe(REPEATS * (3 * 4 + 3));
    expect(sessionGap).toBeLessThanOrEqual(GAP_RATIO_MAX * floorGap + GAP_SLACK_MS);
    expect(wallRatio).toBeLessThanOrEqual(WALL_RATIO_MAX);
  });
});
