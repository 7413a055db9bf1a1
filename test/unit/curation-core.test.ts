import fc from 'fast-check';
import { segmentTrace, linesText } from '../../core/curation/lines';
import { cueOf, extractOffline, instructionFrom } from '../../core/curation/offline-extractor';
import {
  finalAnswerFrom,
  renderStagesTrajectory,
  rftRecord,
  splitTrainTest,
  sprintRecord,
} from '../../core/curation/render';
import { computeStats, renderReport, reportCharts, type TraceOutcome } from '../../core/curation/report';
import { parseTrajectory } from '../../core/format';
import { hasExecution, pack, validateDag, type Component, type Dag } from '../../core/packing';
import { evaluateExpression, generateCountdownTraces } from '../../core/traces/countdown';

describe('segmentTrace', () => {
  it('numbers sentences across paragraphs, keeping decimals, abbreviations and math whole', () => {
    const lines = segmentTrace(
      'First, 3.5 + 1 = 4.5. That is, e.g. small.\n\nWait, what? Check $x. y$ now.\n\\[ a = b. \\]\nDone!',
    );
    expect(lines.map((l) => [l.n, l.text, l.paragraph])).toEqual([
      [1, 'First, 3.5 + 1 = 4.5.', 0],
      [2, 'That is, e.g. small.', 0],
      [3, 'Wait, what?', 1],
      [4, 'Check $x. y$ now.', 1],
      [5, '\\[ a = b. \\]', 1],
      [6, 'Done!', 1],
    ]);
    expect(linesText(lines, [3, 4])).toBe('Wait, what?\nCheck $x. y$ now.');
  });
});

describe('Countdown trace generator', () => {
  const traces = generateCountdownTraces(60, 11);
  it('is deterministic per seed and differs across seeds', () => {
    expect(generateCountdownTraces(60, 11)).toEqual(traces);
    expect(generateCountdownTraces(5, 12)[0]!.trace).not.toBe(traces[0]!.trace);
  });
  it('writes solvable problems whose boxed equation uses each number once and hits the target', () => {
    for (const t of traces) {
      expect(evaluateExpression(t.answer)).toBe(t.target);
      expect((t.answer.match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b)).toEqual(
        [...t.nums].sort((a, b) => a - b),
      );
      expect(t.solution).toContain(`\\boxed{${t.answer}}`);
      expect(t.trace).toMatch(/Let me verify/);
      expect(t.question).toContain(String(t.target));
    }
  });
  it('narrates several independent attempts', () => {
    const attempts = traces.map(
      (t) =>
        (t.trace.match(/\n\n(Let me try|Alternatively|Another idea|Maybe try|Let me consider)/g) ?? [])
          .length,
    );
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(4);
    expect(Math.min(...attempts)).toBeGreaterThanOrEqual(2);
  });
});

describe('offline extractor', () => {
  it('recognises cue phrases', () => {
    expect(cueOf('Wait, that is wrong.')).toBe('revise');
    expect(cueOf('Alternatively, try 3.')).toBe('branch');
    expect(cueOf('Let me verify this.')).toBe('verify');
    expect(cueOf('Let me double-check.')).toBe('verify');
    expect(cueOf('Case 2: x < 0.')).toBe('case');
    expect(cueOf('Finally, add them.')).toBe('sequence');
    expect(cueOf('The sum is 4.')).toBeUndefined();
    expect(instructionFrom('Alternatively, let me try adding 3 and 4 first.', 'branch')).toBe(
      'Try adding 3 and 4 first.',
    );
  });

  it('covers every line exactly once, in order, and yields a valid DAG (property over generated traces)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const [t] = generateCountdownTraces(1, seed);
        const lines = segmentTrace(t!.trace);
        const { components, dag } = extractOffline(lines, t!.question);
        const covered: number[] = [];
        for (const c of components) {
          // The offline extractor always names the plan line (its cue sentence).
          expect(c.planLines).not.toBeNull();
          for (let n = c.planLines![0]; n <= c.planLines![1]; n++) covered.push(n);
          if (c.executionLines)
            for (let n = c.executionLines[0]; n <= c.executionLines[1]; n++) covered.push(n);
        }
        expect(covered).toEqual(lines.map((l) => l.n));
        expect(() => validateDag(components, dag)).not.toThrow();
      }),
      { numRuns: 50 },
    );
  });

  it('finds the parallel attempts of a hand-written trace and links the verification to the result it reuses', () => {
    const trace = [
      'I need 24 from 3, 5, 7, 9. Let me look for products near 24.',
      'Let me try 9 - 7 first. 9 - 7 = 2. Then 2 * 5 = 10. Then 10 + 3 = 13. That gives 13, not 24.',
      'Alternatively, try 7 + 5 first. 7 + 5 = 12. Then 12 * 3 = 36. Then 36 - 9 = 27. That gives 27, not 24.',
      'Alternatively, try 9 + 7 first. 9 + 7 = 16. Then 16 + 5 = 21. Then 21 + 3 = 24. That gives 24.',
      'Now use the 24 from before. Since 21 + 3 = 24, the equation is right. I checked every number. It uses 3, 5, 7, 9 once.',
    ].join('\n\n');
    const { components, dag } = extractOffline(segmentTrace(trace), 'Make 24 from 3, 5, 7, 9.');
    expect(components).toHaveLength(5);
    expect(dag).toEqual({ 1: [], 2: [1], 3: [1], 4: [1], 5: [4] });
    const result = pack(components, dag);
    expect(result.stages.map((s) => s.componentIds)).toEqual([[1, 2, 3, 4], [5]]);
    // Step 5 has a three-line execution: merged into its plan (plan-only), so 3 executions over 2 stages.
    expect(result.ratio).toBe(1.5);
  });
  it('splits numbered cases of a math trace into parallel steps; comparisons are not results; Hmm does not split', () => {
    const trace = [
      "Okay, let's see. I need all real x with |x - 3| + |x + 1| = 6. Hmm, so I should split into cases.",
      'Case 1: x >= 3. Then |x - 3| = x - 3 and |x + 1| = x + 1. So 2x - 2 = 6, which gives x = 4. Since 4 >= 3, x = 4 works. Keep x = 4.',
      'Case 2: -1 <= x < 3. Then |x - 3| = 3 - x and |x + 1| = x + 1. The sum is 4, which is never 6. So no solutions here. That case is done.',
      'Case 3: x < -1. Then |x - 3| = 3 - x and |x + 1| = -x - 1. So 2 - 2x = 6, which gives x = -2. Since -2 < -1, it works. Keep x = -2.',
      'Wait, let me double-check x = 4: |4 - 3| + |4 + 1| = 1 + 5 = 6. Yes. And x = -2 also gives 5 + 1 = 6. Yes, both work.',
      'So the solutions are x = 4 and x = -2, and their sum is 2.',
    ].join('\n\n');
    const { components, dag, cues } = extractOffline(segmentTrace(trace), 'Find all x with |x-3|+|x+1|=6.');
    expect(Object.values(cues)).toEqual(['setup', 'case', 'case', 'case', 'verify', 'continue']);
    expect(dag).toMatchObject({ 2: [1], 3: [1], 4: [1], 5: [2] });
    expect(components[4]!.prompt).toBe('Double-check x = 4: |4 - 3| + |4 + 1| = 1 + 5 = 6.');
    const packed = pack(components, dag);
    expect(packed.stages.map((st) => st.componentIds)).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(packed.kept).toBe(true);
  });
});

describe('rendering', () => {
  const comp = (id: number, lines: number): Component => ({
    id,
    plan: `Plan of step ${id}.`,
    prompt: lines ? `Do step ${id}.` : null,
    execution: lines ? `Work of step ${id}.\n${id} * 2 = ${id * 2}.` : null,
    planLines: [id * 10, id * 10],
    executionLines: lines ? [id * 10 + 1, id * 10 + lines] : null,
  });
  const dag: Dag = { 1: [], 2: [1], 3: [1], 4: [1], 5: [2, 3], 6: [4, 5] };

  it('takes the final answer from the last sentence holding \\boxed', () => {
    expect(finalAnswerFrom('We simplify. So the answer is \\boxed{5}. Done.')).toBe(
      'So the answer is \\boxed{5}. Done.',
    );
    expect(finalAnswerFrom('first \\boxed{1}.\nThen the final is \\boxed{2}')).toBe(
      'Then the final is \\boxed{2}',
    );
    expect(finalAnswerFrom('no box')).toBe('no box');
  });

  it('renders the worked example with Based on lines, separators, prompts and No prompt to execute', () => {
    const stages = pack([comp(1, 0), ...[2, 3, 4, 5, 6].map((i) => comp(i, 4))], dag).stages;
    const text = renderStagesTrajectory(stages, 'Thus \\boxed{42}.');
    expect(text).toContain(
      '<Plan_1>\nPlan of step 1.\n-----\nPlan of step 2.\n<prompt_1.1> Do step 2. </prompt_1.1>',
    );
    expect(text).toContain('<Plan_2>\nBased on execution_1.1, execution_1.2:\nPlan of step 5.');
    expect(text).toContain('<Plan_3>\nBased on execution_1.3, execution_2.1:\nPlan of step 6.');
    expect(text).toContain('<execution_1.3>\nWork of step 4.\n4 * 2 = 8.\n</execution_1.3>');
    expect(text.endsWith('<Final_answer>\nThus \\boxed{42}.\n</Final_answer>')).toBe(true);
    const planOnly = renderStagesTrajectory(pack([comp(1, 0)], {}).stages, '\\boxed{1}');
    expect(planOnly).toContain('<Execution_1>\nNo prompt to execute.\n</Execution_1>');
  });

  it('round-trips every generated sample through the session parser', () => {
    for (const t of generateCountdownTraces(80, 5)) {
      const ex = extractOffline(segmentTrace(t.trace), t.question);
      const packed = pack(ex.components, ex.dag);
      const rec = sprintRecord(t.id, t.question, packed.stages, t.solution);
      const parsed = parseTrajectory(rec.prompt + rec.completion);
      expect(parsed.problems).toEqual([]);
      expect(parsed.question).toBe(t.question);
      expect(parsed.final).toBe(finalAnswerFrom(t.solution));
      expect(parsed.rounds).toHaveLength(packed.stages.length);
      parsed.rounds.forEach((round, i) => {
        const stage = packed.stages[i]!;
        expect(round.plan.problems).toEqual([]);
        expect(round.plan.prompts.map((p) => p.text)).toEqual(stage.executions.map((e) => e.prompt));
        expect(round.executions).toEqual(stage.executions.map((e) => e.execution));
      });
      const executing = ex.components.filter(hasExecution).length;
      expect(executing).toBeGreaterThanOrEqual(packed.executingComponents);
    }
  });

  it('neutralises tag-like text in traces so it cannot break the format', () => {
    const c: Component = {
      ...comp(1, 4),
      execution: 'I wrote </execution_1.1> and <Plan_9> here.\nmore\nlines\nend',
    };
    const text = renderStagesTrajectory(pack([c], {}).stages, '\\boxed{0}');
    const parsed = parseTrajectory(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rounds[0]!.executions[0]).toContain('< /execution_1.1>');
  });

  it('writes the RFT control record in sequential form', () => {
    const r = rftRecord('a', 'Q?', 'step one. step two.', 'So \\boxed{3}.');
    expect(r.prompt).toContain('<Question>\nQ?\n</Question>');
    expect(r.completion).toBe('<think>\nstep one. step two.\n</think>\n\nSo \\boxed{3}.');
  });

  it('splits 90/10 with a fixed seed, stable under reordering', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `t${i}`);
    const a = splitTrainTest(ids, 42, 0.1);
    const b = splitTrainTest([...ids].reverse(), 42, 0.1);
    expect(a.test.size).toBe(20);
    expect(a.train.size).toBe(180);
    expect([...a.test].sort()).toEqual([...b.test].sort());
    expect([...splitTrainTest(ids, 43, 0.1).test].sort()).not.toEqual([...a.test].sort());
  });
});

describe('report', () => {
  it('computes stats and renders charts whose bars match the counts', () => {
    const outcome = (
      status: TraceOutcome['status'],
      ratio: number,
      stages: number,
      reason?: string,
    ): TraceOutcome => ({
      id: `${status}-${ratio}-${stages}`,
      status,
      ...(reason ? { reason } : {}),
      ratio,
      stages,
      components: 4,
      executing: 3,
      promptTokens: 10,
      completionTokens: 5,
      costUsd: 0.001,
      repairs: 0,
    });
    const stats = computeStats(
      [
        outcome('kept', 2, 2),
        outcome('kept', 1.5, 2),
        outcome('rejected', 1, 3, 'low-ratio'),
        outcome('rejected', 2, 3, 'too-long'),
        outcome('kept', 3, 3),
        outcome('failed', 0, 0, 'invalid-steps'),
      ],
      {
        extractor: 'offline',
        format: 'released',
        inputLines: 5,
        inputRejects: 1,
        train: 2,
        test: 0,
        settings: {
          minRatio: 1.5,
          maxStages: 11,
          shortExecutionThreshold: 3,
          testFraction: 0.1,
          splitSeed: 1,
          maxSampleTokens: 7168,
        },
      },
    );
    expect(stats).toMatchObject({
      traces: 6,
      kept: 3,
      rejected: 2,
      failed: 1,
      keptFraction: 0.5,
      tooLong: 1,
    });
    expect(stats.reasons).toEqual({
      'low-ratio': 1,
      'too-long': 1,
      'invalid-steps': 1,
      'input-line-rejected': 1,
    });
    expect(stats.samplesByStages).toEqual([
      { label: '2', count: 2 },
      { label: '3', count: 1 },
    ]);
    expect(stats.ratio.meanKept).toBeCloseTo(6.5 / 3);
    expect(stats.ratio.histogram.find((b) => b.label === '1.5-1.75')!.count).toBe(1);
    expect(stats.stages.histogram).toEqual([
      { label: '1', count: 0 },
      { label: '2', count: 2 },
      { label: '3', count: 3 },
    ]);
    expect(stats.costUsd).toBeCloseTo(0.006, 9);
    const charts = reportCharts(stats);
    expect(charts.stages).toMatch(/^<svg/);
    expect(charts.stages).toContain('<title>2: 2</title>');
    expect(charts.outcomes).toContain('<title>kept: 3</title>');
    const md = renderReport(stats, { ratio: 'r.svg', stages: 's.svg', outcomes: 'o.svg' });
    expect(md).toContain('| kept | 3 (50.0%) |');
    expect(md).toContain('| low-ratio | 1 |');
    expect(md).toContain('Format: **released**. Extractor: **offline**.');
    expect(md).toContain('samples over 7168 tokens dropped (never truncated)');
    expect(md).toContain('| dropped as too long | 1 |');
    expect(md).toContain('| stages | kept samples |\n|---|---|\n| 2 | 2 |\n| 3 | 1 |');
  });
});
