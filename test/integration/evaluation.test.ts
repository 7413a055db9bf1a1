import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import type { SprintConfig } from '../../config';
import type { RunSummary } from '../../core/evaluation/summary';
import type { ProblemRecord } from '../../core/evaluation/types';
import {
  evaluationProgressQuery,
  evaluationWorkflow,
  type EvaluationInput,
} from '../../workflows/evaluation';
import { withOwnControlQueue, writeConfigFile } from '../helpers/config';
import {
  PROBLEMS,
  problemIndex,
  scCorrect,
  scReply,
  scSample,
  sotCorrect,
  sotReply,
  sotSequential,
  sotTotal,
  writeSumProblems,
} from '../helpers/eval-scripts';
import {
  countTokens,
  type LoopbackModelServer,
  type ModelRequestRecord,
  type ScriptedReply,
} from '../helpers/loopback-model-server';
import { solveCountdown, verifyCountdown } from '../../core/grading/countdown';
import { loopbackPool, startStack, type TestStack } from '../helpers/stack';
import { spawnWorkerProcess, waitForOutput } from '../helpers/workers';
import { controlQueue, poolRoute } from '../../config/queues';

const ids = Array.from({ length: PROBLEMS }, (_, k) => k + 1);
/** Summaries round token means to one decimal. */
const round1 = (x: number) => Math.round(x * 10) / 10;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ProblemRecord);

describe('evaluation workflow on a real dev server (loopback engine double)', () => {
  let stack: TestStack | undefined;
  let engine: LoopbackModelServer;
  let config: SprintConfig;
  let client: Client;
  let dataFile: string;
  let mode: 'sot' | 'sc' | 'other' = 'sot';
  let otherReply: (req: ModelRequestRecord) => ScriptedReply = () => ({ text: '' });
  let delayMs = 0;

  beforeAll(async () => {
    stack = await startStack({
      engines: ['local'],
      config: ({ engine }) => ({ models: { pools: { local: loopbackPool(engine, { engine: 'vllm' }) } } }),
      workers: ['all'],
    });
    ({ engine, config, client } = stack);
    engine.setScript((req) => ({
      ...(mode === 'sot' ? sotReply(req) : mode === 'sc' ? scReply(req) : otherReply(req)),
      delayMs,
    }));
    dataFile = writeSumProblems();
  });

  afterAll(() => stack?.close());

  const input = (
    evalId: string,
    method: 'sot' | 'sc',
    over: Partial<EvaluationInput> = {},
  ): EvaluationInput => ({
    evalId,
    benchmark: 'math500',
    method,
    pool: 'local',
    model: 'loopback-model',
    dataFile,
    outDir: fs.mkdtempSync(path.join(os.tmpdir(), `sprint-eval-${method}-`)),
    concurrency: 8,
    settings: method === 'sc' ? { samples: 3 } : { maxPoints: 4 },
    routing: { planner: poolRoute(config, 'local'), executor: poolRoute(config, 'local') },
    ...over,
  });

  const requestsOf = (from: number, pred: (r: ModelRequestRecord) => boolean) =>
    engine.requests.slice(from).filter(pred);

  it('sot: right accuracy, sequential/total/prefill/cached tokens, files and search attributes', async () => {
    mode = 'sot';
    const before = engine.requests.length;
    const inp = input(`sot-${Date.now()}`, 'sot');
    const handle = await client.workflow.start(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `eval-${inp.evalId}`,
      args: [inp],
    });
    const result = await handle.result();
    const s = result.summary;
    expect(s.problems).toBe(PROBLEMS);
    expect(s.correct).toBe(ids.filter(sotCorrect).length);
    expect(s.accuracy).toBeCloseTo(ids.filter(sotCorrect).length / PROBLEMS, 4);
    expect(s.tokens.meanSequential).toBe(round1(sum(ids.map(sotSequential)) / PROBLEMS));
    expect(s.tokens.meanTotal).toBe(round1(sum(ids.map(sotTotal)) / PROBLEMS));
    const calls = requestsOf(before, () => true);
    expect(calls).toHaveLength(PROBLEMS * 4); // skeleton + 2 points + join
    expect(s.tokens.meanPrompt).toBe(round1(sum(calls.map((r) => countTokens(r.prompt))) / PROBLEMS));
    expect(s.tokens.meanCachedPrompt).toBe(8);
    expect(s.promptsPerRound).toEqual([{ value: 2, count: PROBLEMS }]);
    const p3 = calls.filter((r) => problemIndex(r.prompt) === 3 && /Carry out step/.test(r.prompt));
    expect(p3.map((r) => /Carry out step (\d)/.exec(r.prompt)![1]).sort()).toEqual(['1', '2']);

    const records = readJsonl(path.join(inp.outDir, 'results.jsonl'));
    expect(records.map((r) => r.problemId)).toEqual(ids.map((i) => `p${i}`));
    for (const r of records) {
      const i = Number(r.problemId.slice(1));
      expect(r.correct).toBe(sotCorrect(i));
      expect(r.tokens.sequential).toBe(sotSequential(i));
      expect(r.extracted).toBe(String(sotCorrect(i) ? i + 7 : i + 8));
      expect(r.transcript?.uri).toMatch(/^artifact:\/\/sha256\//);
    }
    const summaryFile = JSON.parse(
      fs.readFileSync(path.join(inp.outDir, 'summary.json'), 'utf8'),
    ) as RunSummary;
    expect(summaryFile).toEqual(s);
    const report = fs.readFileSync(path.join(inp.outDir, 'report.md'), 'utf8');
    expect(report).toContain(`| ${PROBLEMS} | ${(s.accuracy * 100).toFixed(1)}% |`);
    expect(report).toContain(`${(s.ci95.low * 100).toFixed(1)}% - ${(s.ci95.high * 100).toFixed(1)}%`);
    expect(fs.readFileSync(path.join(inp.outDir, 'plots', 'accuracy-vs-sequential.svg'), 'utf8')).toMatch(
      /^<svg/,
    );

    const desc = await handle.describe();
    const sa = desc.searchAttributes as Record<string, unknown[]>;
    expect(sa.SprintKind).toEqual(['evaluation']);
    expect(sa.SprintMethod).toEqual(['sot']);
    expect(sa.SprintBenchmark).toEqual(['math500']);
    expect(sa.SprintStatus).toEqual(['completed']);
    expect(sa.SprintProgress).toEqual([PROBLEMS]);
    expect(sa.SprintAccuracy).toEqual([s.accuracy]);
    const progress = await handle.query(evaluationProgressQuery);
    expect(progress).toMatchObject({
      total: PROBLEMS,
      done: PROBLEMS,
      correct: s.correct,
      status: 'completed',
      running: [],
    });
  });

  it('sc: majority vote on normalised answers, longest sample as sequential tokens, continueAsNew keeps counting', async () => {
    mode = 'sc';
    const inp = input(`sc-${Date.now()}`, 'sc', { maxProblemsPerRun: 7 });
    const handle = await client.workflow.start(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `eval-${inp.evalId}`,
      args: [inp],
    });
    const firstRun = handle.firstExecutionRunId;
    const result = await handle.result();
    const s = result.summary;
    expect(s.correct).toBe(ids.filter(scCorrect).length);
    expect(s.tokens.meanSequential).toBeCloseTo(
      sum(ids.map((i) => countTokens(scSample(i, 2)))) / PROBLEMS,
      1,
    );
    expect(s.tokens.meanTotal).toBeCloseTo(
      sum(ids.map((i) => sum([0, 1, 2].map((k) => countTokens(scSample(i, k)))))) / PROBLEMS,
      1,
    );
    expect(s.tokens.meanCachedPrompt).toBe(6);
    expect(s.noAnswer).toBe(0);
    // 20 problems, at most 7 started per run (plus those in flight): the evaluation continued as new
    const desc = await client.workflow.getHandle(`eval-${inp.evalId}`).describe();
    expect(desc.runId).not.toBe(firstRun);
    expect(result.resumed).toBeGreaterThanOrEqual(7);
    const records = readJsonl(path.join(inp.outDir, 'results.jsonl'));
    expect(new Set(records.map((r) => r.problemId)).size).toBe(PROBLEMS);
    expect(records.find((r) => r.problemId === 'p2')).toMatchObject({ correct: false, extracted: '11' });
  });

  it('terminated and restarted: finished problems are not asked again', async () => {
    mode = 'sot';
    delayMs = 150;
    try {
      const before = engine.requests.length;
      const inp = input(`restart-${Date.now()}`, 'sot', { concurrency: 2 });
      const wfId = `eval-${inp.evalId}`;
      const first = await client.workflow.start(evaluationWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: wfId,
        args: [inp],
      });
      for (let t = 0; (await first.query(evaluationProgressQuery)).done < 5; t++) {
        if (t > 300) throw new Error('no progress');
        await new Promise((r) => setTimeout(r, 100));
      }
      await first.terminate('test: stop halfway');
      const finishedBefore = readJsonl(path.join(inp.outDir, 'results.jsonl')).map((r) => r.problemId);
      expect(finishedBefore.length).toBeGreaterThanOrEqual(5);
      expect(finishedBefore.length).toBeLessThan(PROBLEMS); // really stopped halfway
      const second = await client.workflow.start(evaluationWorkflow, {
        taskQueue: controlQueue(config),
        workflowId: wfId,
        args: [inp],
      });
      const result = await second.result();
      expect(result.summary.problems).toBe(PROBLEMS);
      expect(result.summary.correct).toBe(ids.filter(sotCorrect).length);
      expect(result.resumed).toBeGreaterThanOrEqual(finishedBefore.length);
      const skeletons = requestsOf(before, (r) => r.prompt.includes('Write only a skeleton'));
      for (const id of finishedBefore) {
        expect(skeletons.filter((r) => `p${problemIndex(r.prompt)}` === id)).toHaveLength(1);
      }
      const records = readJsonl(path.join(inp.outDir, 'results.jsonl'));
      expect(records.map((r) => r.problemId)).toEqual(ids.map((i) => `p${i}`));
    } finally {
      delayMs = 0;
    }
  });

  it('control worker killed mid-run: a restarted worker finishes without redoing problems', async () => {
    mode = 'sot';
    delayMs = 150;
    // a second control queue served by a worker process that the test kills like a crash
    const procConfig = withOwnControlQueue(config, 'proc');
    const configFile = writeConfigFile(procConfig);
    const firstWorker = spawnWorkerProcess(configFile, 'control');
    let secondWorker: ReturnType<typeof spawnWorkerProcess> | undefined;
    try {
      await waitForOutput(firstWorker, /polling/);
      const before = engine.requests.length;
      const inp = input(`kill-${Date.now()}`, 'sot', { concurrency: 3 });
      const handle = await client.workflow.start(evaluationWorkflow, {
        taskQueue: controlQueue(procConfig),
        workflowId: `eval-${inp.evalId}`,
        args: [inp],
      });
      let doneAtKill = 0;
      for (let t = 0; (doneAtKill = (await handle.query(evaluationProgressQuery)).done) < 6; t++) {
        if (t > 300) throw new Error('no progress');
        await new Promise((r) => setTimeout(r, 100));
      }
      firstWorker.kill('SIGKILL');
      await new Promise((r) => firstWorker.once('exit', r));

      secondWorker = spawnWorkerProcess(configFile, 'control');
      const result = await handle.result();
      expect(doneAtKill).toBeLessThan(PROBLEMS);
      // the workflow really moved to the restarted worker: two worker identities completed its tasks
      const history = await handle.fetchHistory();
      const identities = new Set(
        history
          .events!.map((e) => e.workflowTaskCompletedEventAttributes?.identity)
          .filter((x): x is string => !!x),
      );
      expect(identities.size).toBeGreaterThanOrEqual(2);
      expect(result.summary.problems).toBe(PROBLEMS);
      expect(result.summary.correct).toBe(ids.filter(sotCorrect).length);
      // every model call of every problem happened exactly once: nothing was redone
      const calls = requestsOf(before, () => true);
      expect(calls).toHaveLength(PROBLEMS * 4);
      for (const i of ids) expect(calls.filter((r) => problemIndex(r.prompt) === i)).toHaveLength(4);
      expect(new Set(readJsonl(path.join(inp.outDir, 'results.jsonl')).map((r) => r.problemId)).size).toBe(
        PROBLEMS,
      );
    } finally {
      delayMs = 0;
      firstWorker.kill('SIGKILL');
      secondWorker?.kill('SIGTERM');
      if (secondWorker) await new Promise((r) => secondWorker!.once('exit', r));
    }
  });

  it('gpqa (seeded option shuffle, letters) and generated countdown (equations) through the workflow', async () => {
    mode = 'other';
    const fixtures = path.join(__dirname, '..', 'fixtures', 'eval');
    // GPQA: the double finds the correct option's letter in the shuffled question (wrong for "Yes")
    const correct = ['Photon', '-1', 'Yes'];
    otherReply = (req) => {
      const lines = req.prompt.split('\n');
      const hit = lines.find((l) => correct.some((c) => l.endsWith(`) ${c}`)));
      const letter = hit![0]!;
      return {
        text: `thinking...\nAnswer: ${hit!.endsWith(') Yes') ? (letter === 'A' ? 'B' : 'A') : letter}`,
      };
    };
    const g = await client.workflow.execute(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `eval-gpqa-${Date.now()}`,
      args: [
        {
          ...input(`gpqa-${Date.now()}`, 'sc', {
            benchmark: 'gpqa',
            dataFile: path.join(fixtures, 'gpqa-sample.csv'),
          }),
          settings: { samples: 1 },
        },
      ],
    });
    expect(g.summary).toMatchObject({ problems: 3, correct: 2, noAnswer: 0 });

    // Countdown (seeded generator): the double solves even-numbered requests and adds all numbers otherwise
    let n = 0;
    const expected = new Map<string, boolean>();
    otherReply = (req) => {
      const m = /numbers \[([\d, ]+)\], create an equation that equals (\d+)/.exec(req.prompt)!;
      const nums = m[1]!.split(', ').map(Number);
      const target = Number(m[2]);
      const eq = n++ % 2 === 0 ? solveCountdown(nums, target)! : nums.join(' + ');
      expected.set(`${nums.join(',')}=${target}`, verifyCountdown(eq, nums, target).ok);
      return { text: `search...\n\\boxed{${eq}}` };
    };
    const c = await client.workflow.execute(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId: `eval-cd-${Date.now()}`,
      args: [
        {
          ...input(`cd-${Date.now()}`, 'sc', { benchmark: 'countdown', dataFile: undefined, limit: 8 }),
          settings: { samples: 1 },
        },
      ],
    });
    expect(c.summary.problems).toBe(8);
    expect(c.summary.correct).toBe([...expected.values()].filter(Boolean).length);
    expect(c.summary.correct).toBeGreaterThanOrEqual(4);
  });
});
