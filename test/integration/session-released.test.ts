import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { controlQueue, sessionRunInput, type SprintConfig } from '../../config';
import { sprintRecord, trainingPrompt } from '../../core/curation/render';
import type { SessionTranscript } from '../../core/session-types';
import { ArtifactStore } from '../../io/artifacts';
import { sessionWorkflow } from '../../workflows';
import type {
  LoopbackModelServer,
  ModelRequestRecord,
  ScriptedReply,
} from '../helpers/loopback-model-server';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';

/*
 * The default (`released`) session profile against the loopback engine double: the engine's
 * request log must hold, byte for byte, the model inputs docs/sprint-format.md#released-inference-loop prescribes. Every
 * expected input below is written out by hand from that section, not produced by the renderer.
 */

const FIVE_STOPS = ['</Execution_', '</Plan_', '</Final_answer>', '</think>', '</execution_'];
const SYSTEM = 'You are a test planner (this text comes from a file).\nWrite plans, then answers.';
const QUESTION = 'What is 2 + 3 + 4?';
const P0 = `${SYSTEM}\n\n<Question>\n${QUESTION}\n</Question>\n\n<think>\n`;

/** Executor requests end in the opened `<execution_p.1>` tag; their own prompt is `<prompt_p.1>` of the last plan. */
function executorPromptText(prompt: string): string | undefined {
  const m = /<execution_(\d+)\.1>\n$/.exec(prompt);
  if (!m) return undefined;
  const plan = prompt.slice(prompt.lastIndexOf(`<Plan_${m[1]}>`));
  return new RegExp(`<prompt_${m[1]}\\.1>([\\s\\S]*?)</prompt_${m[1]}\\.1>`).exec(plan)?.[1]?.trim();
}

function plannerPhase(prompt: string): number {
  return (prompt.match(/<Plan_\d+>/g) ?? []).length + 1;
}

describe('released session profile (docs/sprint-format.md#released-inference-loop) on a real dev server', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  let promptFile: string;
  let n = 0;
  const id = (what: string) => `released-${what}-${Date.now()}-${++n}`;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprint-released-'));
    promptFile = join(dir, 'global_agent_prompt.txt');
    writeFileSync(promptFile, SYSTEM);
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({
        models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } },
        // No profile named: the released one is the default.
        session: { systemPromptFile: promptFile, retry: { initialIntervalMs: 100, maximumIntervalMs: 500 } },
      }),
      workers: ['all'],
    });
    ({ engine, config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('sends the file prompt, the five stops and reorder-rewritten executor inputs, byte-equal to the spec', async () => {
    let plan2Tries = 0;
    engine.setScript((req): ScriptedReply => {
      const own = executorPromptText(req.prompt);
      if (own === 'Compute 2 + 3.') return { text: '<think>2 + 3 = 5.</think>\n</execution_1.1>' };
      if (own === 'Note that 4 stays.') return { text: '4 stays 4.\n</execution_1.1>' };
      if (own === 'Check 5 + 4.') return { text: '5 + 4 = 9 indeed.\n</execution_2.1>' };
      const phase = plannerPhase(req.prompt);
      if (phase === 1)
        return {
          text:
            '<Plan_1>\nWe need 2 + 3 + 4.\n<prompt_1.1> Compute 2 + 3. </prompt_1.1>\nSeparately,\n' +
            '<prompt_1.2> Note that 4 stays. </prompt_1.2>\nThen add.\n</Plan_1>',
        };
      if (phase === 2 && ++plan2Tries === 1) return { text: 'Hmm, adding up.' }; // no tags: retried
      if (phase === 2)
        return {
          text: '<Plan_2>\nBased on execution_1.1, execution_1.2:\n5 + 4 = 9.\n<prompt_2.1> Check 5 + 4. </prompt_2.1>\n</Plan_2>',
        };
      return { text: '<Final_answer>\nThe answer is \\boxed{9}.\n</Final_answer>' };
    });
    const before = engine.requests.length;
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('spec'),
      args: [sessionRunInput(config, QUESTION)],
    });
    const reqs = engine.requests.slice(before);

    const B1 =
      'We need 2 + 3 + 4.\n<prompt_1.1> Compute 2 + 3. </prompt_1.1>\nSeparately,\n' +
      '<prompt_1.2> Note that 4 stays. </prompt_1.2>\nThen add.';
    const H1 =
      `<Plan_1>\n${B1}\n</Plan_1>\n\n<Execution_1>\n<execution_1.1>\n2 + 3 = 5.\n</execution_1.1>\n\n` +
      '<execution_1.2>\n4 stays 4.\n</execution_1.2>\n</Execution_1>\n\n';
    const B2 = 'Based on execution_1.1, execution_1.2:\n5 + 4 = 9.\n<prompt_2.1> Check 5 + 4. </prompt_2.1>';
    const H2 =
      `<Plan_2>\n${B2}\n</Plan_2>\n\n<Execution_2>\n<execution_2.1>\n5 + 4 = 9 indeed.\n</execution_2.1>\n` +
      '</Execution_2>\n\n';
    const exec11 =
      `${P0}<Plan_1>\nWe need 2 + 3 + 4.\n<prompt_1.1> Compute 2 + 3. </prompt_1.1>\n\nSeparately,\n` +
      '<prompt_1.2> Note that 4 stays. </prompt_1.2>\n\nThen add.\n</Plan_1>\n\n<Execution_1>\n<execution_1.1>\n';
    const exec12 =
      `${P0}<Plan_1>\nWe need 2 + 3 + 4.\n\nSeparately,\n<prompt_1.1> Note that 4 stays. </prompt_1.1>\n\n` +
      'Then add.\n</Plan_1>\n\n<Execution_1>\n<execution_1.1>\n';
    const exec21 = `${P0}${H1}<Plan_2>\n${B2}\n</Plan_2>\n\n<Execution_2>\n<execution_2.1>\n`;

    const byPrompt = (p: string) => reqs.filter((r) => r.prompt === p);
    expect(reqs).toHaveLength(7);
    expect(byPrompt(P0)).toHaveLength(1);
    expect(byPrompt(exec11)).toHaveLength(1);
    expect(byPrompt(exec12)).toHaveLength(1);
    expect(byPrompt(`${P0}${H1}`)).toHaveLength(2); // plan 2: the reply without tags was retried
    expect(byPrompt(exec21)).toHaveLength(1);
    expect(byPrompt(`${P0}${H1}${H2}`)).toHaveLength(1);
    for (const r of reqs) {
      expect(r.body.stop).toEqual(FIVE_STOPS);
      expect(r.body.temperature).toBe(0.6);
      expect(r.body.max_tokens).toBe(8000);
    }
    expect(result.finalAnswer).toBe('The answer is \\boxed{9}.');
    expect(result.promptsPerRound).toEqual([2, 1, 0]);

    // The transcript keeps the discarded try with its reason.
    const transcript = await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(
      result.transcript!,
    );
    const plan2Calls = transcript.rounds[1]!.calls.filter((c) => c.kind === 'plan');
    expect(plan2Calls.map((c) => c.discarded)).toEqual([
      'no <Plan_ or <Final_answer> tag: retried',
      undefined,
    ]);

    // Serving uses the text the model was trained on: the first planner input is the training
    // prompt of the same question, followed by the completion's opening `<think>\n`.
    expect(reqs.find((r) => r.prompt.startsWith(P0))!.prompt.slice(0, P0.length)).toBe(P0);
    expect(`${trainingPrompt(QUESTION, SYSTEM)}<think>\n`).toBe(P0);
    const sample = sprintRecord('x', QUESTION, [], 'So \\boxed{9}.', { system: SYSTEM });
    expect(`${sample.prompt}${sample.completion}`.startsWith(byPrompt(P0)[0]!.prompt)).toBe(true);
  });

  it('runs every prompt of a round, at most maxConcurrentExecutors at once', async () => {
    const prompts = Array.from(
      { length: 18 },
      (_, i) => `<prompt_1.${i + 1}> Part ${i + 1}. </prompt_1.${i + 1}>`,
    );
    engine.setScript((req): ScriptedReply => {
      const own = executorPromptText(req.prompt);
      if (own !== undefined) return { text: `done ${own}`, delayMs: 150 };
      if (plannerPhase(req.prompt) === 1) return { text: `<Plan_1>\nSplit.\n${prompts.join('\n')}\n` };
      return { text: '<Final_answer>\n\\boxed{18}\n' };
    });
    const before = engine.requests.length;
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('fanout'),
      args: [sessionRunInput(config, 'q', { settings: { maxConcurrentExecutors: 4 } })],
    });
    expect(result.promptsPerRound).toEqual([18, 0]);
    expect(result.problems).toEqual([]);
    const execs: ModelRequestRecord[] = engine.requests
      .slice(before)
      .filter((r) => executorPromptText(r.prompt) !== undefined);
    expect(execs.map((r) => executorPromptText(r.prompt)).sort()).toEqual(
      Array.from({ length: 18 }, (_, i) => `Part ${i + 1}.`).sort(),
    );
    // Overlap at any request start: how many were running then (started, not yet ended).
    const overlap = Math.max(
      ...execs.map((a) => execs.filter((b) => b.startedAt <= a.startedAt && b.endedAt! > a.startedAt).length),
    );
    expect(overlap).toBeLessThanOrEqual(4);
    expect(overlap).toBeGreaterThan(1);
  });

  it('resamples an over-long final answer and forces the last phase after the blank line', async () => {
    let finals = 0;
    engine.setScript((req): ScriptedReply => {
      if (req.prompt.endsWith('<Final_answer>\n')) {
        finals += 1;
        return finals === 1
          ? { text: 'too long \\boxed{1}', completionTokens: 1500 }
          : { text: '\\boxed{2}\n</Final_answer>' };
      }
      return { text: `<Plan_${plannerPhase(req.prompt)}>\nthinking\n</Plan_` };
    });
    const before = engine.requests.length;
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('forced'),
      args: [sessionRunInput(config, QUESTION, { settings: { maxPhases: 2 } })],
    });
    const reqs = engine.requests.slice(before);
    const H1 = '<Plan_1>\nthinking\n</Plan_1>\n\n<Execution_1>\nNo prompt to execute.\n</Execution_1>\n\n';
    expect(reqs.map((r) => r.prompt)).toEqual([
      P0,
      `${P0}${H1}\n\n<Final_answer>\n`,
      `${P0}${H1}\n\n<Final_answer>\n`,
    ]);
    expect(result.finalAnswer).toBe('\\boxed{2}');
    const transcript = await new ArtifactStore(config.artifacts.root).getJson<SessionTranscript>(
      result.transcript!,
    );
    expect(transcript.rounds[1]!.calls.map((c) => c.discarded)).toEqual([
      'plan of 1500 tokens > 1000: resampled',
      undefined,
    ]);
  });

  it('ends on a plan holding **Final Answer and \\boxed (the early stop)', async () => {
    engine.setScript(() => ({ text: '<Plan_1>\nEasy: 9.\n\n**Final Answer**\n\\boxed{9}\n</Plan_1>' }));
    const result = await client.workflow.execute(sessionWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: id('early'),
      args: [sessionRunInput(config, QUESTION)],
    });
    expect(result.rounds).toBe(1);
    expect(result.finalAnswer).toBe('Easy: 9.\n\n**Final Answer**\n\\boxed{9}');
    expect(result.problems).toEqual(['plan 1: holds **Final Answer and \\boxed: taken as the final answer']);
  });
});
