import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSprintActivities } from '../../activities/sprint';
import type {
  ExecuteCallInput,
  ExecuteCallResult,
  PlanCallInput,
  PlanCallResult,
} from '../../core/session-types';
import { executorPromptTail } from '../../core/format';
import type { ArtifactRef } from '../../core/artifact-ref';
import { closeEngineAgents } from '../../io/engine-transport';
import { ArtifactStore } from '../../io/artifacts';
import { ModelClient } from '../../io/model-client';
import { LoopbackModelServer } from '../helpers/loopback-model-server';
import { sprintScript, threeRoundScenario } from '../helpers/sprint-script';

/*
 * Issue 28: what a model worker stores (the planner's long prompt and plan, the executors' long
 * replies) it keeps in its stored-text cache, so the calls that continue those texts on the same
 * worker read none of them back from the artifact store; the texts they send are the same.
 */

/** An artifact store that counts the reads reaching it. */
class CountingStore extends ArtifactStore {
  reads: string[] = [];
  override getText(ref: ArtifactRef | string): Promise<string> {
    this.reads.push(typeof ref === 'string' ? ref : ref.uri);
    return super.getText(ref);
  }
}

describe('sprint activities keep what they store for the calls that continue it', () => {
  let engine: LoopbackModelServer;

  beforeAll(async () => {
    engine = await new LoopbackModelServer().start();
    engine.setScript(sprintScript(threeRoundScenario()));
  });
  afterAll(async () => {
    await closeEngineAgents();
    await engine.stop();
  });

  it("executors continue the planner's stored prompt and plan without reading them back", async () => {
    const store = new CountingStore(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-write-through-')));
    const client = new ModelClient({
      baseUrl: engine.baseUrl,
      model: 'loopback-model',
      engine: 'vllm',
      timeoutMs: 30_000,
    });
    const acts = createSprintActivities({ client, pool: 'local', replica: 'r0', store });
    const env = new MockActivityEnvironment();
    // The mock environment cannot infer its result type from a method: named here.
    const plan_ = (i: PlanCallInput) =>
      env.run<[PlanCallInput], PlanCallResult, typeof acts.sprintPlan>((x) => acts.sprintPlan(x), i);
    const execute = (a: typeof acts, i: ExecuteCallInput) =>
      env.run<[ExecuteCallInput], ExecuteCallResult, typeof a.sprintExecute>((x) => a.sprintExecute(x), i);
    const lastPrompt = () => engine.requests[engine.requests.length - 1]!.prompt;
    const prompt = 'A long question. '.repeat(20);
    const limits = { storePromptPast: 10, storeRepliesPast: 4 };
    const plan = await plan_({
      prompt,
      phase: 1,
      forcedFinal: false,
      stop: ['</Plan_1>', '</Final_answer>'],
      planTry: 1,
      streamSignals: false,
      maxTokens: 100,
      temperature: 0,
      ...limits,
    });
    expect(plan.promptStored).toBeDefined();
    expect(plan.planTextStored).toBeDefined();
    // The first executor of the plan, as the session asks it (on this worker, then on another).
    const firstExecutor: ExecuteCallInput = {
      prompt: [plan.promptStored!],
      tail: { phase: 1, planText: plan.planTextStored!, k: 1, strategy: 'shared-prefix' },
      phase: 1,
      k: 1,
      stop: ['</execution_1.1>'],
      maxTokens: 100,
      temperature: 0,
      ...limits,
    };
    const result = await execute(acts, firstExecutor);
    // The engine got the whole executor prompt, rendered from the texts as stored.
    const sent = lastPrompt();
    expect(sent).toBe(prompt + executorPromptTail(plan.plan, 1, 'shared-prefix'));
    expect(store.reads).toEqual([]);
    // The executor's stored reply is kept too: the next planner's prompt reads it from the cache.
    expect(typeof result.text).not.toBe('string');
    const next = await plan_({
      prompt: [plan.promptStored!, result.text],
      phase: 2,
      forcedFinal: false,
      stop: ['</Plan_2>', '</Final_answer>'],
      planTry: 1,
      streamSignals: false,
      maxTokens: 100,
      temperature: 0,
      ...limits,
    });
    expect(next.usage.completionTokens).toBeGreaterThan(0);
    expect(store.reads).toEqual([]);
    // A worker that did not store them reads them from the store, and gets the same text.
    const other = createSprintActivities({ client, pool: 'local', replica: 'r1', store });
    await execute(other, firstExecutor);
    expect(lastPrompt()).toBe(sent);
    expect(store.reads).toHaveLength(2);
  });
});
