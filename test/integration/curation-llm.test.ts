import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../../config';
import { DAG_SYSTEM, STEPS_SYSTEM } from '../../io/curation/llm-extractor';
import { parseTrajectory } from '../../core/format';
import { curationWorkflow } from '../../workflows';
import type {
  LoopbackModelServer,
  ModelRequestRecord,
  ScriptedReply,
} from '../helpers/loopback-model-server';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { controlQueue, curationQueue } from '../../config/queues';

/** A 16-line trace: set-up, two independent products, then their sum (one sentence per paragraph). */
function traceText(a: number, b: number, c: number, d: number): string {
  const p1 = a * b;
  const p2 = c * d;
  return [
    `We need ${a} times ${b} plus ${c} times ${d}.`,
    `Compute the first product ${a} times ${b}.`,
    `${a} times ${b} is ${p1}.`,
    `Check: ${b} times ${a} is also ${p1}.`,
    `So the first product is ${p1}.`,
    `Keep ${p1} for later.`,
    `Compute the second product ${c} times ${d}.`,
    `${c} times ${d} is ${p2}.`,
    `Check: ${d} times ${c} is also ${p2}.`,
    `So the second product is ${p2}.`,
    `Keep ${p2} for later.`,
    'Now add the two products.',
    `${p1} plus ${p2} is ${p1 + p2}.`,
    `Check: ${p2} plus ${p1} is ${p1 + p2}.`,
    `The sum is ${p1 + p2}.`,
    `So the answer is ${p1 + p2}.`,
  ].join('\n\n');
}

const goodSteps = (tag: string) =>
  JSON.stringify({
    components: [
      { id: 1, description: 'set-up', planLines: [1, 1], prompt: null, executionLines: null },
      {
        id: 2,
        description: 'first product',
        planLines: [2, 2],
        prompt: `${tag}: compute the first product.`,
        executionLines: [3, 6],
      },
      {
        id: 3,
        description: 'second product',
        planLines: [7, 7],
        prompt: `${tag}: compute the second product.`,
        executionLines: [8, 11],
      },
      {
        id: 4,
        description: 'sum',
        planLines: [12, 12],
        prompt: `${tag}: add the two products.`,
        executionLines: [13, 16],
      },
    ],
  });
const goodDag = JSON.stringify({ dag: { 1: [], 2: [1], 3: [1], 4: [2, 3] } });

describe('curation workflow with the LLM extractor (loopback engine double)', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['ext'],
      config: ({ engine }) => ({
        models: {
          pools: {
            ext: loopbackPool(engine, {
              model: 'gpt-4o',
              engine: 'openai',
              pricing: { inputPerMTok: 2.5, outputPerMTok: 10 },
            }),
          },
          roles: { planner: 'ext', executor: 'ext', extractor: 'ext', dag: 'ext' },
        },
        curation: { extractor: 'llm', llm: { maxRepairs: 1 }, concurrency: 2 },
        // No Hub token for this worker (a variable nobody sets): pushes go to the local mirror.
        hub: {
          tokenEnv: 'SPRINT_TEST_UNSET_HUB_TOKEN',
          localMirror: fs.mkdtempSync(path.join(os.tmpdir(), 'hub-mirror-')),
        },
      }),
      workers: ['control', 'curation'],
    });
    ({ engine, config, client } = stack);
  });

  afterAll(() => stack?.close());

  it('repairs invalid replies, honours a 429 retry-after, records a failed trace, and writes the expected samples', async () => {
    let rateLimited = false;
    engine.setScript((req: ModelRequestRecord): ScriptedReply => {
      const messages = req.body.messages as { role: string; content: string }[];
      const system = messages[0]!.content;
      const user = messages[1]!.content;
      const repair = messages.length > 2;
      const which = /alpha/.test(user)
        ? 'alpha'
        : /beta/.test(user)
          ? 'beta'
          : /gamma/.test(user)
            ? 'gamma'
            : '?';
      if (system === STEPS_SYSTEM) {
        if (which === 'alpha') {
          if (!rateLimited) {
            rateLimited = true;
            return { status: 429, text: 'slow down', headers: { 'retry-after': '1' } };
          }
          return { text: goodSteps('alpha') };
        }
        if (which === 'beta') {
          // First reply overlaps lines 6 and 7 and leaves line 16 out; the repair is right.
          if (!repair) {
            return {
              text: JSON.stringify({
                components: [
                  { id: 1, planLines: [1, 1], prompt: null, executionLines: null },
                  { id: 2, planLines: [2, 2], prompt: 'p', executionLines: [3, 7] },
                  { id: 3, planLines: [7, 7], prompt: 'q', executionLines: [8, 11] },
                  { id: 4, planLines: [12, 12], prompt: 'r', executionLines: [13, 15] },
                ],
              }),
            };
          }
          return { text: goodSteps('beta') };
        }
        return { text: repair ? 'still not json' : 'I cannot do that' };
      }
      if (system === DAG_SYSTEM) {
        if (/beta/.test(user) && !repair)
          return { text: JSON.stringify({ dag: { 1: [], 2: [4], 3: [1], 4: [2, 3] } }) };
        return { text: goodDag };
      }
      return { status: 400, text: 'unexpected request' };
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curation-llm-'));
    const input = path.join(dir, 'traces.jsonl');
    const rows = [
      {
        id: 'alpha',
        question: 'alpha: what is 2*3 + 4*5?',
        trace: traceText(2, 3, 4, 5),
        solution: 'So the answer is \\boxed{26}.',
      },
      {
        id: 'beta',
        question: 'beta: what is 6*7 + 8*9?',
        trace: traceText(6, 7, 8, 9),
        solution: 'The total is \\boxed{114}.',
      },
      {
        id: 'gamma',
        question: 'gamma: what is 1*1 + 1*1?',
        trace: traceText(1, 1, 1, 1),
        solution: '\\boxed{2}',
      },
    ];
    fs.writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'));
    const outDir = path.join(dir, 'out');
    const result = await client.workflow.execute(curationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `curate-llm-${Date.now()}`,
      args: [
        {
          source: { kind: 'file', path: input },
          outDir,
          taskQueue: curationQueue(config),
          settings: { ...config.curation, testFraction: 0 },
          pushToHub: { repo: 'me/llm-curated' },
        },
      ],
    });
    expect(result.counts).toMatchObject({ traces: 3, kept: 2, rejected: 0, failed: 1, train: 2, test: 0 });
    expect(result.stats.reasons).toEqual({ 'invalid-steps': 1 });
    expect(result.stats.repairs).toBe(3); // beta steps + beta dag + gamma steps
    expect(engine.requests.filter((r) => r.status === 429)).toHaveLength(1);

    // Cost: every call went to the priced pool.
    const { prompt, completion } = result.stats.tokens;
    expect(prompt).toBeGreaterThan(0);
    expect(result.costUsd).toBeCloseTo((prompt * 2.5 + completion * 10) / 1e6, 9);
    expect(result.stats.costUsd).toBeCloseTo(result.costUsd, 5);

    // The repair prompt showed the model its own error.
    const betaRepair = engine.requests.find((r) => {
      const m = r.body.messages as { content: string }[];
      return m.length > 2 && m[1]!.content.includes('beta') && m[0]!.content === STEPS_SYSTEM;
    });
    expect(betaRepair?.prompt).toMatch(
      /line 7 is in both component 2 executionLines and component 3 planLines/,
    );
    expect(betaRepair?.prompt).toMatch(/lines not covered by any component: 16/);

    const train = fs
      .readFileSync(path.join(outDir, 'sprint', 'train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; prompt: string; completion: string });
    expect(train.map((r) => r.id).sort()).toEqual(['alpha', 'beta']);
    const alpha = train.find((r) => r.id === 'alpha')!;
    const parsed = parseTrajectory(alpha.prompt + alpha.completion);
    expect(parsed.problems).toEqual([]);
    expect(parsed.question).toBe('alpha: what is 2*3 + 4*5?');
    expect(parsed.rounds.map((r) => r.plan.prompts.map((p) => p.text))).toEqual([
      ['alpha: compute the first product.', 'alpha: compute the second product.'],
      ['alpha: add the two products.'],
    ]);
    expect(parsed.rounds[0]!.executions[0]).toBe(
      '2 times 3 is 6.\nCheck: 3 times 2 is also 6.\nSo the first product is 6.\nKeep 6 for later.',
    );
    // Released layout (docs/sprint-format.md#released-trajectory-rendering): consecutive ids, so no "-----"; a blank line between components.
    expect(
      parsed.rounds[0]!.plan.text.startsWith(
        'We need 2 times 3 plus 4 times 5.\n\nCompute the first product 2 times 3.\n\n<prompt_1.1>',
      ),
    ).toBe(true);
    // Structured outputs: the extractor engine (openai) was asked for a json_schema reply.
    expect(
      engine.requests.every(
        (r) => (r.body.response_format as { type?: string } | undefined)?.type === 'json_schema',
      ),
    ).toBe(true);
    expect(
      parsed.rounds[1]!.plan.text.startsWith(
        'Based on execution_1.1, execution_1.2:\nNow add the two products.',
      ),
    ).toBe(true);
    expect(parsed.final).toBe('So the answer is \\boxed{26}.');
    // No token on this worker: the push went to the local mirror of the Hub layout.
    expect(result.hub?.target).toBe('local');
    expect(
      fs.existsSync(
        path.join(config.hub.localMirror, 'datasets', 'me', 'llm-curated', 'sprint', 'train.jsonl'),
      ),
    ).toBe(true);
    const outcomes = fs.readFileSync(path.join(outDir, 'outcomes.jsonl'), 'utf8');
    expect(outcomes).toMatch(
      /"id":"gamma","status":"failed","reason":"invalid-steps","detail":"steps reply still invalid after 1 repair/,
    );
  });
});
