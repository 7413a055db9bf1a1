import type { Client } from '@temporalio/client';
import { controlQueue, runPriorityParts, sessionRunInput, type SprintConfig } from '../../config';
import type { PriorityClassName } from '../../core/priority/classes';
import { sequentialWorkflow } from '../../workflows';
import { waitFor } from '../helpers/workers';
import type { LoopbackModelServer, ModelRequestRecord } from '../helpers/loopback-model-server';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';

/*
 * Forwarding priorities to the engine (config priority.engines), against the loopback engine
 * double given one slot and a queue: batch calls fill the engine, an interactive call arrives
 * last. An engine told priorities (vLLM's priority scheduling: lower first) serves the interactive
 * call next; an engine not told (the default) serves it after every batch call ahead of it.
 */

describe('engine priority forwarding on a real dev server', () => {
  let stack: TestStack<'told' | 'plain'> | undefined;
  let config: SprintConfig;
  let client: Client;
  let n = 0;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['told', 'plain'],
      config: ({ engines }) => ({
        models: {
          pools: {
            local: loopbackPool(engines.told, { engine: 'vllm' }),
            plain: loopbackPool(engines.plain, { engine: 'vllm' }),
          },
        },
        priority: { engines: { local: {} } },
        session: { retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
      }),
      workers: ['all'],
    });
    ({ config, client } = stack);
    stack.engines.told.capacity = { slots: 1, policy: 'priority' };
    stack.engines.plain.capacity = { slots: 1, policy: 'fcfs' };
  });

  afterAll(() => stack?.close());

  /** Starts one sequential run (one model call) on `pool` in class `cls`. */
  async function start(pool: string, cls: PriorityClassName, question: string) {
    const workflowId = `engine-priority-${Date.now()}-${++n}`;
    const priority = runPriorityParts(config, { command: 'ask', runId: workflowId, class: cls });
    const input = {
      ...sessionRunInput(config, question, { plannerPool: pool, executorPool: pool }),
      ...priority.input,
    };
    return client.workflow.start(sequentialWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [input],
      ...priority.start,
    });
  }

  /** Three batch calls fill the engine (one served, two queued), then an interactive one arrives. */
  async function crowd(pool: string, engine: LoopbackModelServer): Promise<ModelRequestRecord[]> {
    const before = engine.requests.length;
    // The first call holds the one slot long enough for the interactive one to arrive on a busy machine.
    let served = 0;
    engine.setScript(() => ({ text: 'done', delayMs: served++ === 0 ? 2500 : 100 }));
    const batch = [];
    for (let i = 1; i <= 3; i++) batch.push(await start(pool, 'batch', `batch ${i}`));
    await waitFor(() => engine.requests.length - before === 3, 20_000, 'three batch calls at the engine');
    const interactive = await start(pool, 'interactive', 'interactive');
    await Promise.all([...batch, interactive].map((h) => h.result()));
    return engine.requests.slice(before);
  }

  const question = (r: ModelRequestRecord) => /(batch \d|interactive)/.exec(r.prompt)?.[1];
  const admissionOrder = (requests: ModelRequestRecord[]) =>
    [...requests].sort((a, b) => a.admittedAt! - b.admittedAt!).map(question);

  it('an engine told priorities serves the interactive call before the queued batch calls', async () => {
    const requests = await crowd('local', stack!.engines.told);
    expect(requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const order = admissionOrder(requests);
    // The first batch call held the slot; the interactive one, last to arrive, went next.
    expect(order[1]).toBe('interactive');
    expect(Object.fromEntries(requests.map((r) => [question(r), r.body.priority]))).toEqual({
      'batch 1': 3,
      'batch 2': 3,
      'batch 3': 3,
      interactive: 1,
    });
  });

  it('by default the engine is not told (no priority field) and serves in arrival order', async () => {
    const requests = await crowd('plain', stack!.engines.plain);
    expect(requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(requests.map((r) => r.body.priority)).toEqual([undefined, undefined, undefined, undefined]);
    expect(admissionOrder(requests)[3]).toBe('interactive');
  });
});
