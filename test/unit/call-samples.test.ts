import * as path from 'node:path';
import { curateOne, type CurationSettings } from '../../activities/curation';
import { demoTraceSource } from '../../cli/actions/demo-held-out';
import { loadConfig } from '../../config';
import { countdownQuestion } from '../../core/benchmarks';
import { servingCallRecords, servingShapeRecords } from '../../core/curation/call-samples';
import { executorPromptTail, parsePlan } from '../../core/format';
import { plannerPromptParts } from '../../core/session/prompt-parts';
import { generateCountdownTraces } from '../../core/traces/countdown';

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

  it('refuses a completion that is not a <think> trajectory', () => {
    expect(() =>
      servingCallRecords({ id: 'x', prompt: 'q', completion: 'no think here' }, 'shared-prefix'),
    ).toThrow(/sample x: completion is not <think>/);
  });
});
