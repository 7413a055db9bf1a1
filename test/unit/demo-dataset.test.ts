import * as path from 'node:path';
import { curateOne, type CurationSettings } from '../../activities/curation';
import { demoTraceSource } from '../../cli/actions/demo';
import { loadConfig } from '../../config';
import { countdownQuestion } from '../../core/benchmarks';
import { parseTrajectory } from '../../core/format/trajectory';
import { generateCountdownTraces } from '../../core/traces/countdown';

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
      // One round (no verification paragraph: short samples), then the final answer.
      expect(parsed.rounds).toHaveLength(1);
      expect(parsed.rounds.length).toBeLessThan(config.session.maxPhases);
      // The failed attempt and the one that works (or its first step) run side by side.
      expect(parsed.rounds[0]!.plan.prompts.length).toBeGreaterThanOrEqual(2);
      expect(parsed.rounds[0]!.executions).toHaveLength(parsed.rounds[0]!.plan.prompts.length);
      expect(parsed.final).toContain(`\\boxed{${trace.answer}}`);
    }
  });
});
