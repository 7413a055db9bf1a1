import * as path from 'node:path';
import { curateOne, type CurationSettings } from '../../activities/curation';
import { demoTraceSource } from '../../cli/actions/demo';
import { loadConfig } from '../../config';
import { countdownQuestion } from '../../core/benchmarks';
import { parseTrajectory } from '../../core/format/trajectory';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { checklistCandidates } from '../../core/traces/countdown-checklist';

/*
 * What the demo trains on, built the way its pipeline builds it (config/demo.yaml, the demo's
 * trace source, offline curation): the tiny model can only learn what these samples show, and
 * the session can only serve it what it was trained on.
 */
const root = path.resolve(__dirname, '..', '..');
const config = loadConfig({ file: path.join(root, 'config', 'demo.yaml'), env: {} });
const settings: CurationSettings = { ...config.curation, extractor: 'offline' };

async function demoSamples(count: number) {
  const { generateSeed, traceShape } = demoTraceSource(config);
  const traces = generateCountdownTraces(count, generateSeed, traceShape, countdownQuestion);
  return Promise.all(traces.map(async (t) => ({ trace: t, result: await curateOne(t, settings, {}) })));
}

describe('the demo dataset (config/demo.yaml, offline curation)', () => {
  it('trains on the instructions the demo session serves', () => {
    expect(config.curation.system).toBeDefined();
    expect(config.session.systemPrompt).toBe(config.curation.system);
  });

  it('keeps every trace, its attempts as parallel executors of round 1, under the max length', async () => {
    const samples = await demoSamples(60);
    for (const { trace, result } of samples) {
      expect({ id: trace.id, status: result.status, reason: result.reason }).toEqual({
        id: trace.id,
        status: 'kept',
        reason: undefined,
      });
      const sprint = result.sprint!;
      expect(sprint.prompt.startsWith(config.curation.system!)).toBe(true);
      const parsed = parseTrajectory(sprint.completion);
      // One round, then the final answer.
      expect(parsed.rounds).toHaveLength(1);
      expect(parsed.rounds.length).toBeLessThan(config.session.maxPhases);
      // Every check of the checklist (the operations on the two numbers) runs side by side.
      const checks = checklistCandidates(trace.nums).map((c) => c.expression);
      expect(parsed.rounds[0]!.plan.prompts.map((p) => p.text)).toEqual(checks.map((e) => `Try ${e}.`));
      expect(checks.length).toBeLessThanOrEqual(config.session.maxPromptsPerRound);
      expect(parsed.rounds[0]!.executions).toHaveLength(checks.length);
      expect(parsed.final).toContain(`\\boxed{${trace.answer}}`);
    }
  });

  it('costs under 0.72 of the sequential sample along the critical path (characters)', async () => {
    // Sequential tokens of a SPRINT sample: its plan, its longest execution, its final answer;
    // of the sequential sample: all of it. Characters stand in for the run's tokens here
    // (docs/demo.md#the-trace-style measures tokens).
    for (const { trace, result } of await demoSamples(60)) {
      const sprint = result.sprint!.completion;
      const plan = sprint.slice('<think>\n'.length, sprint.indexOf('</Plan_1>'));
      const executions = [...sprint.matchAll(/<execution_1\.\d+>\n([\s\S]*?)<\/execution_/g)].map(
        (m) => m[1]!,
      );
      const final = /<Final_answer>[\s\S]*?(?=<\/Final_answer>)/.exec(sprint)![0];
      const critical = plan.length + Math.max(...executions.map((e) => e.length)) + final.length;
      const sequential = result.rft!.completion.length - '<think>\n'.length;
      expect({ id: trace.id, ratio: critical / sequential < 0.72 }).toEqual({ id: trace.id, ratio: true });
      // Each check's work is longer than the plan lines that name it.
      for (const e of executions) expect(e.length).toBeGreaterThan(plan.length / executions.length);
    }
  });
});
