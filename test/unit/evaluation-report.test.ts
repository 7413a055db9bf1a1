import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { readRecords, writeCrossReport, writeRunReport } from '../../io/evaluation/report';
import { scoreTrajectories } from '../../io/evaluation/score';
import { comparePaired, lengthBuckets, summarize } from '../../core/evaluation/summary';
import { binIndex, binLabel, mcnemarExact, quantile, wilson } from '../../core/evaluation/stats';
import { barsSvg, niceTicks, scatterSvg } from '../../core/evaluation/svg';
import { accountTranscript } from '../../core/evaluation/transcripts';
import type { ProblemRecord } from '../../core/evaluation/types';
import { majorityVote, parseSkeleton } from '../../core/methods/baselines';
import { parseConfig } from '../../config';

function rec(
  method: ProblemRecord['method'],
  id: string,
  correct: boolean,
  sequential: number,
  extra: Partial<ProblemRecord> = {},
): ProblemRecord {
  return {
    evalId: `run-${method}`,
    benchmark: 'math500',
    method,
    problemId: id,
    correct,
    extracted: correct ? '1' : '2',
    reference: '1',
    tokens: { sequential, total: sequential * 2, prompt: 10, cachedPrompt: 4 },
    rounds: 1,
    promptsPerRound: [],
    wallMs: 100,
    ...extra,
  };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-report-'));

describe('statistics', () => {
  it('Wilson interval: known values and bounds', () => {
    const w = wilson(8, 10);
    expect(w.low).toBeCloseTo(0.4902, 3);
    expect(w.high).toBeCloseTo(0.9433, 3);
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(10, 10).high).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), (n, k0) => {
        const k = k0 % (n + 1);
        const { low, high } = wilson(k, n);
        expect(low).toBeLessThanOrEqual(k / n + 1e-12);
        expect(high).toBeGreaterThanOrEqual(k / n - 1e-12);
        expect(low).toBeGreaterThanOrEqual(0);
        expect(high).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("McNemar's exact test: known values", () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    // b=0, c=6: 2 * 0.5^6
    expect(mcnemarExact(0, 6)).toBeCloseTo(0.03125, 10);
    // b=2, c=8: 2 * P[X<=2], X~Bin(10, .5) = 2 * 56/1024
    expect(mcnemarExact(2, 8)).toBeCloseTo(0.109375, 10);
    expect(mcnemarExact(5, 5)).toBe(1);
    expect(mcnemarExact(8, 2)).toBe(mcnemarExact(2, 8));
  });

  it('quantiles and bins', () => {
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    const edges = [2000, 4000, 8000];
    expect([0, 1999, 2000, 7999, 8000, 20000].map((v) => binLabel(binIndex(v, edges), edges))).toEqual([
      '<2k',
      '<2k',
      '2k-4k',
      '4k-8k',
      '>=8k',
      '>=8k',
    ]);
  });

  it('nice ticks cover the range', () => {
    const t = niceTicks(0, 0.93);
    expect(t[0]).toBeLessThanOrEqual(0);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(0.93);
    expect(niceTicks(5, 5).length).toBeGreaterThan(1);
  });
});

describe('summaries, buckets and paired comparison', () => {
  const base = [
    rec('sequential', 'a', true, 1000),
    rec('sequential', 'b', false, 3000),
    rec('sequential', 'c', true, 9000),
    rec('sequential', 'd', true, 10000),
  ];
  const sprint = [
    rec('sprint', 'a', true, 1200),
    rec('sprint', 'b', true, 1500),
    rec('sprint', 'c', true, 4500),
    rec('sprint', 'd', false, 6000, { rounds: 3, promptsPerRound: [2, 1, 4] }),
  ];

  it('summarize keeps the last record of a problem and counts right', () => {
    const s = summarize([...sprint, rec('sprint', 'a', false, 1200)]);
    expect(s.problems).toBe(4);
    expect(s.correct).toBe(2);
    expect(s.tokens.meanSequential).toBe((1200 + 1500 + 4500 + 6000) / 4);
    expect(s.rounds).toEqual([
      { value: 1, count: 3 },
      { value: 3, count: 1 },
    ]);
    expect(s.promptsPerRound).toEqual([
      { value: 1, count: 1 },
      { value: 2, count: 1 },
      { value: 4, count: 1 },
    ]);
  });

  it('length buckets bin by the baseline and report the reduction per bin', () => {
    const rows = lengthBuckets(base, sprint, [2000, 8000]);
    expect(rows).toEqual([
      {
        bin: '<2k',
        problems: 1,
        baselineMeanSequential: 1000,
        methodMeanSequential: 1200,
        reduction: -0.2,
        baselineAccuracy: 1,
        methodAccuracy: 1,
      },
      {
        bin: '2k-8k',
        problems: 1,
        baselineMeanSequential: 3000,
        methodMeanSequential: 1500,
        reduction: 0.5,
        baselineAccuracy: 0,
        methodAccuracy: 1,
      },
      {
        bin: '>=8k',
        problems: 2,
        baselineMeanSequential: 9500,
        methodMeanSequential: 5250,
        reduction: 0.4474,
        baselineAccuracy: 1,
        methodAccuracy: 0.5,
      },
    ]);
  });

  it('paired comparison: discordant pairs, McNemar, token ratios', () => {
    const c = comparePaired(base, [...sprint, rec('sprint', 'e', true, 1)], ['seq', 'sprint']);
    expect(c).toMatchObject({
      common: 4,
      onlyInA: 0,
      onlyInB: 1,
      bothRight: 2,
      aOnlyRight: 1,
      bOnlyRight: 1,
      bothWrong: 0,
      difference: 0,
      pValue: 1,
    });
    expect(c.tokenRatio.median).toBeCloseTo((0.5 + 0.6) / 2, 4);
  });
});

describe('report files', () => {
  it('run report: results.jsonl, summary.json and report.md agree', async () => {
    const dir = tmp();
    const s = await writeRunReport(dir, sprint(), ['d', 'c', 'b', 'a']);
    expect((await readRecords(dir)).map((r) => r.problemId)).toEqual(['d', 'c', 'b', 'a']);
    const fromFile = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as typeof s;
    expect(fromFile).toEqual(s);
    const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain(
      `| ${s.problems} | ${(s.accuracy * 100).toFixed(1)}% | ${(s.ci95.low * 100).toFixed(1)}% - ${(s.ci95.high * 100).toFixed(1)}% | ${s.tokens.meanSequential} |`,
    );
    expect(fs.readFileSync(path.join(dir, 'plots', 'rounds.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });

  it('cross-run report: buckets and comparisons against the sequential run, plots written', async () => {
    const a = tmp();
    const b = tmp();
    const out = tmp();
    await writeRunReport(a, [rec('sequential', 'x', true, 1000), rec('sequential', 'y', false, 9000)]);
    await writeRunReport(b, [rec('sprint', 'x', true, 1100), rec('sprint', 'y', true, 4000)]);
    const r = await writeCrossReport(out, [a, b], [2000, 8000]);
    expect(r.buckets).toHaveLength(1);
    expect(r.buckets[0]!.rows.map((x) => [x.bin, x.reduction])).toEqual([
      ['<2k', -0.1],
      ['>=8k', 0.5556],
    ]);
    expect(r.comparisons[0]).toMatchObject({ bOnlyRight: 1, aOnlyRight: 0 });
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| <2k | 1 | 1000 | 1100 | -10.0% |');
    expect(md).toContain('| >=8k | 1 | 9000 | 4000 | 55.6% |');
    expect(fs.existsSync(path.join(out, 'plots', 'length-buckets.svg'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(r)),
    );
  });

  it('SVG labels are escaped', () => {
    const svg = scatterSvg({
      title: 'a<b & "c"',
      xLabel: 'x',
      yLabel: 'y',
      points: [{ label: '<m>', x: 1, y: 0.5 }],
      yPercent: true,
    });
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot;');
    expect(svg).not.toContain('<m>');
    const bars = barsSvg({
      title: 't',
      yLabel: 'y',
      categories: ['<2k'],
      series: [{ name: 's', values: [-0.2] }],
      percent: true,
    });
    expect(bars).toContain('&lt;2k');
    expect(bars).toContain('-20%');
  });
});

function sprint(): ProblemRecord[] {
  return [
    rec('sprint', 'a', true, 10),
    rec('sprint', 'b', false, 20),
    rec('sprint', 'c', true, 30, { rounds: 2, promptsPerRound: [2, 3] }),
    rec('sprint', 'd', true, 40),
  ];
}

describe('baseline helpers', () => {
  it('parses skeleton points', () => {
    expect(parseSkeleton('Plan:\n1. find x\n2) find y\nStep 3: add\n- 4. check', 3)).toEqual([
      'find x',
      'find y',
      'add',
    ]);
    expect(parseSkeleton('just do it', 5)).toEqual(['just do it']);
  });

  it('majority vote groups equivalent spellings and lets no-answer samples abstain', () => {
    const v = majorityVote(
      ['\\boxed{\\frac12}', '\\boxed{\\dfrac{1}{2}}', '\\boxed{3}', 'no idea', 'no idea', 'no idea'],
      'math',
    );
    expect(v.winner).toBe(0);
    expect(v.tally).toEqual([
      { key: '\\frac{1}{2}', votes: 2 },
      { key: '3', votes: 1 },
    ]);
    expect(majorityVote(['Answer: B', 'Answer: C', 'Answer: C'], 'choice').answer).toBe('C');
    expect(majorityVote(['nothing'], 'math')).toEqual({ winner: null, answer: null, tally: [] });
  });
});

describe('transcripts scored offline', () => {
  const sprintText = [
    '<Question>\nq\n</Question>',
    '<think>',
    '<Plan_1>',
    'abcdefgh', // 8 chars -> 2 tokens at 4 chars/token, plus the prompt tags
    '<prompt_1.1> x </prompt_1.1>',
    '<prompt_1.2> y </prompt_1.2>',
    '</Plan_1>',
    '<Execution_1>',
    '<execution_1.1>\n' + 'a'.repeat(40) + '\n</execution_1.1>',
    '<execution_1.2>\n' + 'b'.repeat(80) + '\n</execution_1.2>',
    '</Execution_1>',
    '<Plan_2>\nno more\n</Plan_2>',
    '<Execution_2>\nNo prompt to execute.\n</Execution_2>',
    '<Final_answer>\nso \\boxed{7}\n</Final_answer>',
    '</think>',
  ].join('\n');

  it('accounts a SPRINT transcript by the seed definition', () => {
    const a = accountTranscript(sprintText, 4);
    const plan1 = Math.ceil(
      'abcdefgh\n<prompt_1.1> x </prompt_1.1>\n<prompt_1.2> y </prompt_1.2>'.length / 4,
    );
    const plan2 = Math.ceil('no more'.length / 4);
    const fin = Math.ceil('so \\boxed{7}'.length / 4);
    expect(a.format).toBe('sprint');
    expect(a.rounds).toBe(3);
    expect(a.promptsPerRound).toEqual([2, 0, 0]);
    expect(a.tokens.sequential).toBe(plan1 + 20 + plan2 + fin);
    expect(a.tokens.total).toBe(plan1 + 10 + 20 + plan2 + fin);
  });

  it('a transcript cut at the length limit (unclosed tags) still counts its rounds', () => {
    const cut =
      '<think>\n<Plan_1>\nplan <prompt_1.1> a </prompt_1.1>\n</Plan_1>\n<Execution_1>\n<execution_1.1>\n' +
      'w'.repeat(400);
    const a = accountTranscript(cut, 4);
    expect(a).toMatchObject({ format: 'sprint', rounds: 1, promptsPerRound: [1] });
    expect(a.tokens.sequential).toBeGreaterThanOrEqual(100);
  });

  it('plain text counts every character-token as sequential', () => {
    expect(accountTranscript('x'.repeat(41), 4)).toMatchObject({
      format: 'sequential',
      tokens: { sequential: 11, total: 11 },
    });
  });

  it('sprint eval score grades a folder of transcripts against the benchmark', async () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'sample_algebra_2.txt'),
      '<Plan_1>\nsolve\n</Plan_1>\n<Final_answer>\n\\boxed{4}\n</Final_answer>',
    );
    fs.writeFileSync(
      path.join(dir, 'sample_prealgebra_1.txt'),
      'long reasoning... so the answer is \\boxed{0.875}',
    );
    fs.writeFileSync(path.join(dir, 'sample_geometry_3.txt'), 'I think \\boxed{3}');
    fs.writeFileSync(path.join(dir, 'stray.txt'), 'not a problem');
    const out = path.join(tmp(), 'scored');
    const res = await scoreTrajectories({
      trajectoriesDir: dir,
      benchmark: 'math500',
      dataFile: path.join(__dirname, '..', 'fixtures', 'eval', 'math500-sample.jsonl'),
      outDir: out,
      config: parseConfig({}),
    });
    expect(res.files).toBe(4);
    expect(res.unmatched).toEqual([{ file: 'stray.txt', reason: 'no problem id in the name' }]);
    expect(res.runs).toHaveLength(1);
    expect(res.runs[0]).toMatchObject({ run: 'other', outDir: out, missing: 2 });
    expect(res.runs[0]!.summary).toMatchObject({ problems: 3, correct: 2, tokenSource: 'approx-chars' });
    const records = await readRecords(out);
    expect(records.map((r) => [r.problemId, r.method, r.correct])).toEqual([
      ['sample/prealgebra/1.json', 'sequential', true],
      ['sample/algebra/2.json', 'sprint', true],
      ['sample/geometry/3.json', 'sequential', false],
    ]);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('are approximations');
  });
});
