import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { poolRoute, type SprintConfig } from '../../config';
import { writeCrossReport } from '../../io/evaluation/report';
import { binIndex, binLabel } from '../../core/evaluation/stats';
import { evaluationWorkflow, type EvaluationInput } from '../../workflows/evaluation';
import { withOwnControlQueue, writeConfigFile } from '../helpers/config';
import {
  PROBLEMS,
  problemIndex,
  scCorrect,
  scReply,
  sequentialCorrect,
  sequentialReply,
  sequentialText,
  sprintCorrect,
  sprintReply,
  sprintTokens,
  writeSumProblems,
} from '../helpers/eval-scripts';
import { countTokens, type LoopbackModelServer } from '../helpers/loopback-model-server';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { controlQueue } from '../../config/queues';
import { failureMessage } from '../../core/failure-message';

const ids = Array.from({ length: PROBLEMS }, (_, k) => k + 1);
/** Summaries round token means to one decimal. */
const round1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('evaluation of the session methods (sprint, sequential) and the cross-run report', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  let dataFile: string;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({ models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } } }),
      workers: ['all'],
    });
    ({ engine, config, client } = stack);
    // the session prompt ends with `<think>\n` for both methods: the sequential run is told apart by its max_tokens
    // (self-consistency samples, from the CLI test, use the baselines' chat template)
    engine.setScript((req) =>
      req.prompt.includes('<｜User｜>')
        ? scReply(req)
        : req.body.max_tokens === 36_000
          ? sequentialReply(req)
          : sprintReply(req),
    );
    dataFile = writeSumProblems();
  });

  afterAll(() => stack?.close());

  const run = async (method: 'sprint' | 'sequential') => {
    const input: EvaluationInput = {
      evalId: `${method}-${Date.now()}`,
      benchmark: 'math500',
      method,
      pool: 'local',
      dataFile,
      outDir: fs.mkdtempSync(path.join(os.tmpdir(), `sprint-eval-${method}-`)),
      concurrency: 10,
      settings: { ...config.session },
      routing: { planner: poolRoute(config, 'local'), executor: poolRoute(config, 'local') },
    };
    const result = await client.workflow.execute(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `eval-${input.evalId}`,
      args: [input],
    });
    return { input, result };
  };

  it('sprint and sequential: accuracy, tokens, rounds, and the length buckets of the report', async () => {
    const [sprint, sequential] = await Promise.all([run('sprint'), run('sequential')]);
    const sp = sprint.result.summary;
    expect(sp.problems).toBe(PROBLEMS);
    expect(sp.correct).toBe(ids.filter(sprintCorrect).length);
    expect(sp.tokens.meanSequential).toBe(round1(mean(ids.map((i) => sprintTokens(i).sequential))));
    expect(sp.tokens.meanTotal).toBe(round1(mean(ids.map((i) => sprintTokens(i).total))));
    // one planned round with 2 prompts, then the final-answer phase (a round with no prompt)
    expect(sp.rounds).toEqual([{ value: 2, count: PROBLEMS }]);
    expect(sp.promptsPerRound).toEqual([
      { value: 0, count: PROBLEMS },
      { value: 2, count: PROBLEMS },
    ]);

    const sq = sequential.result.summary;
    expect(sq.correct).toBe(ids.filter(sequentialCorrect).length);
    expect(sq.tokens.meanSequential).toBe(round1(mean(ids.map((i) => countTokens(sequentialText(i))))));
    expect(
      engine.requests
        .filter((r) => r.body.max_tokens === 36_000)
        .map((r) => problemIndex(r.prompt))
        .sort((a, b) => a - b),
    ).toEqual(ids);

    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-eval-all-'));
    const edges = [30, 50];
    const report = await writeCrossReport(out, [sequential.input.outDir, sprint.input.outDir], edges);
    expect(report.buckets).toHaveLength(1);
    // expected bins from the scripted lengths, computed here independently of the report code
    const byBin = new Map<string, number[]>();
    for (const i of ids) {
      const label = binLabel(binIndex(countTokens(sequentialText(i)), edges), edges);
      byBin.set(label, [...(byBin.get(label) ?? []), i]);
    }
    const rows = report.buckets[0]!.rows;
    expect(rows.map((r) => [r.bin, r.problems])).toEqual(
      [...byBin.entries()].map(([b, xs]) => [b, xs.length]),
    );
    for (const row of rows) {
      const xs = byBin.get(row.bin)!;
      const base = mean(xs.map((i) => countTokens(sequentialText(i))));
      const m = mean(xs.map((i) => sprintTokens(i).sequential));
      expect(row.baselineMeanSequential).toBe(round1(base));
      expect(row.methodMeanSequential).toBe(round1(m));
      expect(row.reduction).toBeCloseTo(1 - m / base, 3);
    }
    const cmp = report.comparisons[0]!;
    expect(cmp.common).toBe(PROBLEMS);
    expect(cmp.aOnlyRight).toBe(ids.filter((i) => sequentialCorrect(i) && !sprintCorrect(i)).length);
    expect(cmp.bOnlyRight).toBe(ids.filter((i) => !sequentialCorrect(i) && sprintCorrect(i)).length);
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    for (const row of rows) expect(md).toContain(`| ${row.bin} | ${row.problems} |`);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
  });

  it('an evaluation input naming an unknown method or benchmark fails at once, naming the known ones', async () => {
    const start = (bad: Partial<Record<'method' | 'benchmark', string>>) => {
      const evalId = `bad-${Object.keys(bad).join('')}-${Date.now()}`;
      const input = {
        evalId,
        benchmark: 'math500',
        method: 'sprint',
        pool: 'local',
        dataFile,
        outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-eval-bad-')),
        concurrency: 1,
        ...bad,
      } as EvaluationInput;
      return client.workflow
        .execute(evaluationWorkflow, {
          taskQueue: controlQueue(config),
          workflowId: `eval-${evalId}`,
          args: [input],
        })
        .then(
          () => 'completed',
          (err: unknown) => failureMessage(err),
        );
    };
    await expect(start({ method: 'tree-of-thought' })).resolves.toContain(
      'unknown method of the evaluation input "tree-of-thought"; known: sprint, sequential, sot, sc',
    );
    await expect(start({ benchmark: 'aime' })).resolves.toContain(
      'unknown benchmark of the evaluation input "aime"; known: math500, aime2024, gpqa, countdown',
    );
  });

  /** Runs `sprint ...` as a user would; resolves with its exit code and output. */
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.resolve(__dirname, '..', '..', 'bin', 'sprint.js'), ...args],
        {
          env: { ...process.env },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  it('sprint eval --endpoint (ad-hoc pool, in-process workers), then eval compare', async () => {
    const configFile = writeConfigFile(withOwnControlQueue(config, 'cli'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-eval-cli-'));
    const args = [
      '--config',
      configFile,
      'eval',
      '--benchmark',
      'math500',
      '--method',
      'sc',
      '--samples',
      '3',
    ];
    const res = await cli([
      ...args,
      '--endpoint',
      engine.baseUrl,
      '--workers',
      '--data',
      dataFile,
      '--out',
      out,
      '--id',
      `cli-${Date.now()}`,
      '--json',
    ]);
    // on failure, show what the command printed
    expect({ code: res.code, stderr: res.code === 0 ? '' : res.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(res.stdout) as { summary: { problems: number; correct: number } };
    expect(result.summary).toMatchObject({ problems: PROBLEMS, correct: ids.filter(scCorrect).length });
    expect(fs.existsSync(path.join(out, 'report.md'))).toBe(true);

    const cmp = await cli(['eval', 'compare', out, out, '--json']);
    expect(cmp.code).toBe(0);
    expect(JSON.parse(cmp.stdout)).toMatchObject({
      comparison: { common: PROBLEMS, aOnlyRight: 0, bOnlyRight: 0, pValue: 1 },
    });
    const bad = await cli(['eval', '--benchmark', 'math500', '--method', 'nope', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "argument 'nope' is invalid. Allowed choices are sprint, sequential, sot, sc.",
    );
  });
});
