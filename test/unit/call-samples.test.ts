import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { curateOne, type CurationSettings } from '../../activities/curation';
import { demoTraceSource } from '../../cli/actions/demo-held-out';
import { loadConfig } from '../../config';
import { countdownQuestion } from '../../core/benchmarks';
import { servingCallRecords, servingShapeRecords } from '../../core/curation/call-samples';
import { executorPromptTail, parsePlan } from '../../core/format';
import { plannerPromptParts } from '../../core/session/prompt-parts';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { writeSplits } from '../../io/curation/dataset-files';

/*
 * The demo's SPRINT samples split per model call must be exactly what the session sends: the
 * prompts are rebuilt here with the session's own builders (core/session/prompt-parts.ts, the tail
 * workflows/session/round.ts appends), not with the function under test.
 */
const root = path.resolve(__dirname, '..', '..');
const config = loadConfig({ file: path.join(root, 'config', 'demo.yaml'), env: {} });
const settings: CurationSettings = { ...config.curation, extractor: 'offline' };

async function demoRecords(count: number) {
  const { generateSeed, traceShape } = demoTraceSource(config);
  const traces = generateCountdownTraces(count, generateSeed, traceShape, countdownQuestion);
  const kept = await Promise.all(traces.map((t) => curateOne(t, settings, {})));
  return kept.flatMap((r) => (r.sprint ? [r.sprint] : []));
}

describe('SPRINT samples in the serving shape (one record per model call)', () => {
  it('config/demo.yaml asks for them with the executor strategy its sessions use', () => {
    expect(config.curation.servingCalls).toBe(config.session.executorStrategy);
  });

  it('the default trains the reply only: the prompt is the one the session sends', async () => {
    const [record] = await demoRecords(1);
    const calls = servingCallRecords(record!, 'shared-prefix');
    expect(servingShapeRecords(record!, 'shared-prefix').slice(1)).toEqual(
      calls.filter((c) => /\/e1\.([2-9])$/.test(c.id)),
    );
  });

  it.each(['shared-prefix', 'reorder'] as const)(
    '%s: every prompt is the one the session sends, every completion what that call writes',
    async (strategy) => {
      const records = await demoRecords(30);
      expect(records.length).toBeGreaterThan(20);
      for (const record of records) {
        const calls = servingCallRecords(record, strategy);
        const prefix = record.prompt;
        const [planner, ...rest] = calls;
        // Round 1's planner: the prefix and <think>, nothing else; it writes the closed plan.
        const parts = plannerPromptParts(prefix, [], undefined);
        expect(parts.every((p) => typeof p === 'string')).toBe(true);
        expect(planner!.prompt).toBe((parts as string[]).join(''));
        expect(planner!.completion).toMatch(/^<Plan_1>\n[\s\S]*\n<\/Plan_1>$/);
        const plan = parsePlan(planner!.completion, 1);
        const executors = rest.filter((c) => c.id.includes('/e1.'));
        expect(executors).toHaveLength(plan.prompts.length);
        expect(executors.length).toBeGreaterThanOrEqual(2);
        executors.forEach((e, i) => {
          const k = i + 1;
          const served = planner!.prompt + executorPromptTail(plan, k, strategy);
          expect(e.prompt).toBe(served);
          // Executor k never sees another execution: its tag opens right after the plan.
          expect(e.prompt).not.toContain('</execution_');
          const label = strategy === 'reorder' ? '1.1' : `1.${k}`;
          expect(e.completion.endsWith(`\n</execution_${label}>`)).toBe(true);
        });
        // The executors' outputs differ: each is trained on its own prompt's work.
        expect(new Set(executors.map((e) => e.completion)).size).toBe(executors.length);
        // The final answer's call: the whole history, and the calls add up to the sample.
        const final = calls[calls.length - 1]!;
        expect(final.completion).toMatch(/^<Final_answer>\n[\s\S]*\\boxed\{[\s\S]*\n<\/Final_answer>$/);
        expect(`${final.prompt}${final.completion}\n</think>`).toBe(`${record.prompt}${record.completion}`);
      }
    },
  );

  it.each(['shared-prefix', 'reorder'] as const)(
    '%s: the trajectory plus each call it does not show as served (executors p.2 on)',
    async (strategy) => {
      const records = await demoRecords(30);
      for (const record of records) {
        const [trajectory, ...extra] = servingShapeRecords(record, strategy);
        expect(trajectory).toEqual(record);
        const whole = record.prompt + record.completion;
        const calls = servingCallRecords(record, strategy);
        // Every call is trained as served: inside the trajectory's text, or as its own record.
        for (const call of calls) {
          const shown = whole.startsWith(call.prompt + call.completion);
          expect({ id: call.id, trained: shown || extra.some((e) => e.id === call.id) }).toEqual({
            id: call.id,
            trained: true,
          });
        }
        expect(extra.map((e) => e.id)).toEqual(
          calls.filter((c) => /\/e\d+\.([2-9]|\d\d)$/.test(c.id)).map((c) => c.id),
        );
        expect(extra.length).toBeGreaterThanOrEqual(1);
      }
    },
  );

  it.each(['shared-prefix', 'reorder'] as const)(
    '%s, context loss: the same records and text, cut after the question so the plan is trained too',
    async (strategy) => {
      const records = await demoRecords(30);
      for (const record of records) {
        const reply = servingShapeRecords(record, strategy, 'reply');
        const context = servingShapeRecords(record, strategy, 'context');
        expect(context.map((r) => r.id)).toEqual(reply.map((r) => r.id));
        expect(context[0]).toEqual(record);
        for (const [i, r] of context.entries()) {
          const served = reply[i]!;
          // The session's text for the call, unchanged; only where the prompt ends moves.
          expect(r.prompt + r.completion).toBe(served.prompt + served.completion);
          expect(r.prompt).toBe(record.prompt);
          if (i > 0) {
            expect(r.completion.startsWith('<think>\n<Plan_1>\n')).toBe(true);
            expect(r.completion.endsWith(served.completion)).toBe(true);
          }
        }
      }
    },
  );

  it('the dataset files follow curation.servingCallsLoss (config/demo.yaml: context)', async () => {
    expect(config.curation.servingCallsLoss).toBe('context');
    const { generateSeed, traceShape } = demoTraceSource(config);
    const traces = generateCountdownTraces(6, generateSeed, traceShape, countdownQuestion);
    const kept = (await Promise.all(traces.map((t) => curateOne(t, settings, {})))).flatMap((r, i) =>
      r.sprint && r.rft ? [{ id: traces[i]!.id, sprint: r.sprint, rft: r.rft }] : [],
    );
    const read = (dir: string) =>
      ['train', 'test'].flatMap((part) =>
        fs
          .readFileSync(path.join(dir, 'sprint', `${part}.jsonl`), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { prompt: string; completion: string }),
      );
    const written = async (loss: 'reply' | 'context') => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-serving-loss-'));
      await writeSplits(
        dir,
        kept,
        { splitSeed: 1, testFraction: 0.3, servingCalls: 'shared-prefix', servingCallsLoss: loss },
        [],
      );
      return read(dir);
    };
    const reply = await written('reply');
    const context = await written('context');
    expect(context.map((r) => r.prompt + r.completion)).toEqual(reply.map((r) => r.prompt + r.completion));
    const prompts = new Set(kept.map((k) => k.sprint.prompt));
    expect(context.every((r) => prompts.has(r.prompt))).toBe(true);
    expect(reply.filter((r) => !prompts.has(r.prompt)).length).toBeGreaterThan(0);
  });

  it('refuses a completion that is not a <think> trajectory', () => {
    expect(() =>
      servingCallRecords({ id: 'x', prompt: 'q', completion: 'no think here' }, 'shared-prefix'),
    ).toThrow(/sample x: completion is not <think>/);
  });
});
