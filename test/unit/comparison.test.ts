import fc from 'fast-check';
import {
  claimChecks,
  comparisonChartSvg,
  comparisonMarkdown,
  comparisonRow,
  type ComparisonRow,
} from '../../core/evaluation/comparison';
import { wilson } from '../../core/evaluation/stats';
import type { RunSummary } from '../../core/evaluation/summary';

function summary(method: string, correct: number, problems: number, meanSequential: number): RunSummary {
  return {
    evalId: `e-${method}`,
    benchmark: 'countdown',
    method,
    problems,
    correct,
    accuracy: correct / problems,
    errors: 0,
    noAnswer: 0,
    tokens: {
      meanSequential,
      medianSequential: meanSequential - 1,
      p90Sequential: meanSequential + 5,
      meanTotal: meanSequential * 2,
      meanPrompt: 300,
      meanCachedPrompt: 0,
      sumTotal: meanSequential * 2 * problems,
    },
    meanRounds: 1,
    rounds: [],
    promptsPerRound: [],
    wallMs: { mean: 1500, median: 1400, p90: 2000, max: 2500 },
    tokenSource: 'engine',
  } as unknown as RunSummary;
}

const rows = (): { untrained: ComparisonRow; sequential: ComparisonRow; sprint: ComparisonRow } => ({
  untrained: comparisonRow('untrained', summary('sprint', 0, 48, 288)),
  sequential: comparisonRow('sequential <control>', summary('sequential', 20, 48, 70)),
  sprint: comparisonRow('SPRINT', summary('sprint', 18, 48, 50)),
});

describe('the comparison table and chart', () => {
  it('Wilson interval: symmetric in successes and failures, narrower with more problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 400 }), (n, k0) => {
        const k = k0 % (n + 1);
        const w = wilson(k, n);
        const mirrored = wilson(n - k, n);
        expect(w.low).toBeCloseTo(1 - mirrored.high, 9);
        expect(w.high).toBeCloseTo(1 - mirrored.low, 9);
        // Four times the problems at the same proportion: a narrower interval.
        const w4 = wilson(4 * k, 4 * n);
        expect(w4.high - w4.low).toBeLessThan(w.high - w.low);
      }),
    );
  });

  it('a row carries the accuracy, its 95% interval, tokens and wall time', () => {
    const r = rows().sequential;
    expect(r).toMatchObject({
      correct: 20,
      problems: 48,
      meanSequentialTokens: 70,
      medianSequentialTokens: 69,
    });
    expect(r.accuracy).toBeCloseTo(20 / 48, 12);
    expect(r.ci95).toEqual(wilson(20, 48));
  });

  it('markdown: one line per row in order, the cells readable, pipes escaped', () => {
    const r = rows();
    const md = comparisonMarkdown([r.untrained, r.sequential, r.sprint]);
    const lines = md.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[3]).toBe(
      `| sequential <control> | sequential | 20/48 | 41.7% (${(wilson(20, 48).low * 100).toFixed(1)}%-${(wilson(20, 48).high * 100).toFixed(1)}%) | 70 / 69 | 140 (6720) | 1.50 s / 1.40 s |`,
    );
    expect(comparisonMarkdown([{ ...r.sprint, label: 'a|b' }])).toContain('| a\\|b |');
  });

  it('chart: one point with its interval per row, at its tokens and accuracy, labels escaped', () => {
    const r = rows();
    const svg = comparisonChartSvg([r.untrained, r.sequential, r.sprint], 'demo & <test>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('demo &amp; &lt;test&gt;');
    expect(svg).toContain('sequential &lt;control&gt; (sequential)');
    expect(svg).not.toContain('<control>');
    // Points left to right by sequential tokens: SPRINT (50) < sequential (70) < untrained (288).
    const cx = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(cx[2]!).toBeLessThan(cx[1]!);
    expect(cx[1]!).toBeLessThan(cx[0]!);
    // Higher accuracy is higher up (smaller y): sequential (41.7%) above SPRINT (37.5%) above 0%.
    const cy = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(cy[1]!).toBeLessThan(cy[2]!);
    expect(cy[2]!).toBeLessThan(cy[0]!);
  });

  it('claim checks: met and missed targets, with their numbers', () => {
    const r = rows();
    const checks = claimChecks(r);
    expect(checks.map((c) => c.met)).toEqual([true, true, true]);
    expect(checks[1]!.line).toBe(
      "met: SPRINT mean sequential tokens 50 = 0.71x the sequential model's 70 (target <= 0.75x)",
    );
    const worse = claimChecks({ ...r, sprint: comparisonRow('SPRINT', summary('sprint', 10, 48, 60)) });
    expect(worse.map((c) => c.met)).toEqual([true, false, false]);
    expect(worse[2]!.line).toMatch(/^MISSED: .* 20\.8 points lower/);
    const flat = claimChecks({ ...r, untrained: comparisonRow('untrained', summary('sprint', 18, 48, 288)) });
    expect(flat[0]!.met).toBe(false);
  });
});
