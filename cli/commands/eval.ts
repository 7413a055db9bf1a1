import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { WorkflowFailedError } from '@temporalio/client';
import { Runtime, type Worker } from '@temporalio/worker';
import { controlQueue, poolRoute, type SprintConfig } from '../../config';
import { ModelClient } from '../../io/model-client';
import { readRecords, writeCrossReport } from '../../io/evaluation/report';
import { scoreTrajectories } from '../../io/evaluation/score';
import { benchmarkNames, type BenchmarkName } from '../../core/benchmarks';
import { renderReport } from '../../core/evaluation/markdown';
import { comparePaired, summarize, type RunSummary } from '../../core/evaluation/summary';
import type { MethodName } from '../../core/method-result';
import { connectWorker } from '../../workers/connection';
import { createWorkers, runWorkers, workerLogger } from '../../workers/create';
import {
  evaluationProgressQuery,
  evaluationWorkflow,
  type EvaluationInput,
  type EvaluationResult,
} from '../../workflows/evaluation';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';

const methodNames: MethodName[] = ['sprint', 'sequential', 'sot', 'sc'];
const ADHOC_POOL = 'eval-endpoint';

interface EvalOptions {
  benchmark?: string;
  method?: string;
  endpoint?: string;
  model?: string;
  pool?: string;
  limit?: string;
  concurrency?: string;
  data?: string;
  out?: string;
  id?: string;
  samples?: string;
  workers?: boolean;
  json?: boolean;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${flag} must be a positive integer, got "${value}"`, ExitCode.usage);
  return n;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T {
  if (!value) throw new CliError(`${flag} is required (one of: ${allowed.join(', ')})`, ExitCode.usage);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`, ExitCode.usage);
  }
  return value as T;
}

/** Method settings for each child workflow, from the evaluation config section. */
export function methodSettings(
  config: SprintConfig,
  method: MethodName,
  samples?: number,
): Record<string, unknown> {
  const ev = config.evaluation;
  switch (method) {
    case 'sot':
      return { ...ev.sot, temperature: ev.temperature };
    case 'sc':
      return { ...ev.sc, ...(samples ? { samples } : {}), temperature: ev.temperature };
    case 'sequential':
    case 'sprint':
      // the session workflows validate these against the `session` section's schema
      return { ...config.session, temperature: ev.temperature };
  }
}

function printSummary(s: RunSummary, log: (line: string) => void): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  log(
    `${s.method} on ${s.benchmark}: ${s.correct}/${s.problems} correct = ${pct(s.accuracy)} (95% CI ${pct(s.ci95.low)} - ${pct(s.ci95.high)})`,
  );
  log(
    `  sequential tokens: mean ${s.tokens.meanSequential}, median ${s.tokens.medianSequential}, p90 ${s.tokens.p90Sequential}`,
  );
  log(
    `  total tokens: mean ${s.tokens.meanTotal} (prompt ${s.tokens.meanPrompt}, cached ${s.tokens.meanCachedPrompt}); mean rounds ${s.meanRounds}`,
  );
  log(
    `  wall-clock per problem: mean ${s.wallMs.mean} ms, p90 ${s.wallMs.p90} ms; errors ${s.errors}, no answer ${s.noAnswer}`,
  );
  if (s.tokenSource !== 'engine')
    log('  token counts are APPROXIMATE (characters / chars-per-token; no tokenizer loaded)');
}

/** Progress display: a bar on a terminal (cli-progress), a line every 10% otherwise. */
function progressDisplay(total: () => number) {
  const tty = process.stderr.isTTY;
  const bar = tty
    ? new SingleBar(
        {
          format: 'eval [{bar}] {value}/{total} problems | accuracy {acc} | running {running}',
          hideCursor: true,
          stream: process.stderr,
        },
        Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let lastDecile = -1;
  return {
    update(done: number, correct: number, running: number) {
      const acc = done ? `${((correct / done) * 100).toFixed(1)}%` : '-';
      if (bar) {
        if (!started) bar.start(total(), 0, { acc, running });
        started = true;
        bar.setTotal(total());
        bar.update(done, { acc, running });
      } else if (total() > 0) {
        const decile = Math.floor((done / total()) * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          console.error(`eval: ${done}/${total()} problems, accuracy ${acc}`);
        }
      }
    },
    stop() {
      if (started) bar?.stop();
    },
  };
}

async function runEval(opts: EvalOptions, cmd: Command): Promise<void> {
  const benchmark = oneOf<BenchmarkName>(opts.benchmark, benchmarkNames, '--benchmark');
  const method = oneOf<MethodName>(opts.method, methodNames, '--method');
  if (!opts.out)
    throw new CliError(
      '--out DIR is required (the run folder for results.jsonl, summary.json, report.md)',
      ExitCode.usage,
    );
  const limit = positiveInt(opts.limit, '--limit');
  const concurrency = positiveInt(opts.concurrency, '--concurrency');
  const samples = positiveInt(opts.samples, '--samples');
  const global = cmd.optsWithGlobals<GlobalOptions>();
  let overrides: Record<string, unknown> | undefined;
  if (opts.endpoint) {
    let model = opts.model;
    if (!model) {
      try {
        model = (
          await new ModelClient({
            baseUrl: opts.endpoint,
            model: 'probe',
            engine: 'generic',
            timeoutMs: 10_000,
          }).listModels()
        )[0];
      } catch (err) {
        throw new CliError(
          `cannot list the models of ${opts.endpoint}: ${(err as Error).message} (give --model)`,
          ExitCode.unavailable,
        );
      }
      if (!model) throw new CliError(`${opts.endpoint} lists no model; give --model`, ExitCode.usage);
    }
    // an ad-hoc pool in the config overrides, served by an llm worker in this process
    overrides = {
      models: {
        pools: {
          [ADHOC_POOL]: { model, engine: 'generic', replicas: [{ name: 'r0', baseUrl: opts.endpoint }] },
        },
      },
      evaluation: { pool: ADHOC_POOL },
    };
  }
  const config = readConfig(global, overrides);
  const pool = opts.pool ?? config.evaluation.pool ?? config.models.roles.planner;
  if (!config.models.pools[pool]) {
    throw new CliError(
      `pool "${pool}" is not configured (have: ${Object.keys(config.models.pools).join(', ')})`,
      ExitCode.usage,
    );
  }
  const outDir = path.resolve(opts.out);
  const evalId =
    opts.id ?? `${benchmark}-${method}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  if (!/^[\w.-]+$/.test(evalId))
    throw new CliError(`--id must be letters, digits, . _ - (got "${evalId}")`, ExitCode.usage);
  const input: EvaluationInput = {
    evalId,
    benchmark,
    method,
    pool,
    model: config.models.pools[pool].model,
    ...(opts.data ? { dataFile: path.resolve(opts.data) } : {}),
    ...(limit ? { limit } : {}),
    outDir,
    concurrency: concurrency ?? config.evaluation.concurrency,
    settings: methodSettings(config, method, samples),
    // Every method needs it: queue names carry the deployment prefix, which only the config knows.
    routing: { planner: poolRoute(config, pool), executor: poolRoute(config, pool) },
  };
  const client = await clientFor(config);

  // Workers this command runs itself: the ad-hoc pool's llm worker, and with --workers the control worker.
  const workers: Worker[] = [];
  let workersDone: Promise<void> | undefined;
  let stopWorkers: (() => void) | undefined;
  if (opts.endpoint || opts.workers) {
    Runtime.install({ shutdownSignals: [], logger: workerLogger() });
    const connection = await connectWorker(config);
    if (opts.endpoint)
      workers.push(...(await createWorkers('llm', { config, connection, pool: ADHOC_POOL })));
    if (opts.workers) workers.push(...(await createWorkers('control', { config, connection })));
    let release!: () => void;
    const stop = new Promise<void>((r) => (release = r));
    stopWorkers = release;
    workersDone = runWorkers(workers, stop).then(() => connection.close());
  }
  const workflowId = `eval-${evalId}`;
  const log = (line: string) => console.log(line);
  try {
    const handle = await client.workflow.start(evaluationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `evaluate ${method} on ${benchmark}${limit ? ` (${limit} problems)` : ''}`,
    });
    if (!opts.json) {
      log(`evaluation ${evalId}: ${method} on ${benchmark}, pool ${pool}, out ${outDir}`);
      log(`UI: ${uiLink(config, workflowId)}`);
    }
    let total = 0;
    const display = opts.json ? undefined : progressDisplay(() => total);
    const result = handle.result();
    let finished = false;
    void result.then(
      () => (finished = true),
      () => (finished = true),
    );
    while (!finished) {
      try {
        const p = await handle.query(evaluationProgressQuery);
        total = p.total;
        if (total > 0) display?.update(p.done, p.correct, p.running.length);
      } catch {
        // the query fails while the workflow has not started yet or is between runs; try again
      }
      await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    let out: EvaluationResult;
    try {
      out = await result;
      display?.update(out.summary.problems, out.summary.correct, 0);
    } catch (err) {
      const cause =
        err instanceof WorkflowFailedError && err.cause ? err.cause.message : (err as Error).message;
      throw new CliError(`evaluation ${evalId} failed: ${cause}`, ExitCode.failed);
    } finally {
      display?.stop();
    }
    if (opts.json) {
      console.log(JSON.stringify(out, null, 2));
      return;
    }
    printSummary(out.summary, log);
    if (out.resumed) log(`  resumed: ${out.resumed} problems were finished by an earlier run and not redone`);
    if (out.loadErrors.length)
      log(`  ${out.loadErrors.length} benchmark records skipped, first: ${out.loadErrors[0]}`);
    log(`wrote ${path.join(outDir, 'results.jsonl')}, summary.json, report.md, plots/`);
  } finally {
    stopWorkers?.();
    await workersDone;
  }
}

async function compareRuns(a: string, b: string, opts: { out?: string; json?: boolean }): Promise<void> {
  const [ra, rb] = await Promise.all([readRecords(a), readRecords(b)]).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.usage);
  });
  const sa = summarize(ra);
  const sb = summarize(rb);
  const cmp = comparePaired(ra, rb, [`${sa.method} (${sa.evalId})`, `${sb.method} (${sb.evalId})`]);
  if (opts.json) {
    console.log(JSON.stringify({ a: sa, b: sb, comparison: cmp }, null, 2));
    return;
  }
  const text = renderReport({
    title: `Paired comparison: ${cmp.b} vs ${cmp.a}`,
    runs: [sa, sb],
    comparisons: [cmp],
  });
  console.log(text);
  if (!cmp.common) throw new CliError('the two runs share no problem id', ExitCode.failed);
  if (opts.out) {
    fs.mkdirSync(opts.out, { recursive: true });
    fs.writeFileSync(path.join(opts.out, 'compare.md'), text);
    fs.writeFileSync(
      path.join(opts.out, 'compare.json'),
      JSON.stringify({ a: sa, b: sb, comparison: cmp }, null, 2),
    );
  }
}

export function registerEval(program: Command): void {
  const ev = program
    .command('eval')
    .description(
      'Evaluate methods on MATH500, GPQA-Diamond or Countdown (runs as a workflow; resumable with --id)',
    )
    .option('--benchmark <name>', `one of: ${benchmarkNames.join(', ')}`)
    .option('--method <name>', `one of: ${methodNames.join(', ')} (sc = self-consistency)`)
    .option(
      '--endpoint <url>',
      'OpenAI-compatible base URL: an ad-hoc pool served by an llm worker in this process',
    )
    .option('--model <name>', 'model name at --endpoint (default: the first one it lists)')
    .option('--pool <name>', 'configured pool to use (default: evaluation.pool, else the planner role)')
    .option('--limit <n>', 'first N problems only')
    .option('--concurrency <n>', 'problems in flight at once (default: evaluation.concurrency)')
    .option(
      '--data <file>',
      'benchmark file (JSONL/CSV); default the Hub file of the config (Countdown: generated)',
    )
    .option('--out <dir>', 'run folder for results.jsonl, summary.json, report.md, plots/')
    .option(
      '--id <evalId>',
      'evaluation id; give the id of an earlier run to resume it (finished problems are skipped)',
    )
    .option('--samples <n>', 'self-consistency: samples per problem (default: evaluation.sc.samples)')
    .option('--workers', 'also run a control worker in this process (when `sprint dev` is not running)')
    .option('--json', 'print the result as JSON')
    .action((opts: EvalOptions, cmd: Command) => runEval(opts, cmd));

  ev.command('compare')
    .description(
      'Paired comparison of two runs on the same problems (McNemar exact test, per-problem token ratio)',
    )
    .argument('<runA>', 'run folder (has results.jsonl)')
    .argument('<runB>', 'run folder')
    .option('--out <dir>', 'also write compare.md and compare.json here')
    .option('--json', 'print JSON')
    // --out/--json are also options of `eval` itself, where commander may put them: read both levels
    .action((a: string, b: string, _opts: unknown, cmd: Command) =>
      compareRuns(a, b, cmd.optsWithGlobals<{ out?: string; json?: boolean }>()),
    );

  ev.command('report')
    .description(
      'Report across runs: summaries, length buckets against the sequential run, paired comparisons, plots',
    )
    .argument('<runs...>', 'run folders')
    .option('--out <dir>', 'folder for report.md, summary.json and plots/ (required)')
    .action(async (runs: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { out?: string }>();
      if (!opts.out) throw new CliError('--out DIR is required', ExitCode.usage);
      const config = readConfig(opts);
      const report = await writeCrossReport(
        path.resolve(opts.out),
        runs.map((r) => path.resolve(r)),
        config.evaluation.lengthBins,
      ).catch((err: Error) => {
        throw new CliError(err.message, ExitCode.usage);
      });
      for (const s of report.runs) printSummary(s, (l) => console.log(l));
      console.log(`wrote ${path.join(opts.out, 'report.md')}, summary.json, plots/`);
    });

  ev.command('score')
    .description(
      'Grade and account transcripts produced elsewhere (one file per problem: SPRINT tag format or plain text)',
    )
    .option('--trajectories <dir>', 'folder of <problem id>.txt files ("/" in ids written as "_") (required)')
    .option('--benchmark <name>', `one of: ${benchmarkNames.join(', ')} (required)`)
    .option('--data <file>', 'benchmark file; default the Hub file of the config')
    .option('--out <dir>', 'run folder to write (default: <trajectories>-scored)')
    .option('--chars-per-token <n>', 'token approximation (default: evaluation.charsPerToken)')
    .option('--json', 'print the summary as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      // --benchmark/--data/--out/--json are also options of `eval`, where commander may put them
      const opts = cmd.optsWithGlobals<
        GlobalOptions & {
          trajectories?: string;
          benchmark?: string;
          data?: string;
          out?: string;
          charsPerToken?: string;
          json?: boolean;
        }
      >();
      if (!opts.trajectories) throw new CliError('--trajectories DIR is required', ExitCode.usage);
      const trajectories = opts.trajectories;
      const config = readConfig(opts);
      const benchmark = oneOf<BenchmarkName>(opts.benchmark, benchmarkNames, '--benchmark');
      const cpt = opts.charsPerToken === undefined ? undefined : Number(opts.charsPerToken);
      if (cpt !== undefined && !(cpt > 0))
        throw new CliError('--chars-per-token must be a positive number', ExitCode.usage);
      const outDir = path.resolve(opts.out ?? `${trajectories.replace(/\/+$/, '')}-scored`);
      const res = await scoreTrajectories({
        trajectoriesDir: trajectories,
        benchmark,
        dataFile: opts.data,
        outDir,
        config,
        charsPerToken: cpt,
      }).catch((err: Error) => {
        throw new CliError(err.message, ExitCode.usage);
      });
      if (opts.json) {
        console.log(JSON.stringify(res, null, 2));
        return;
      }
      printSummary(res.summary, (l) => console.log(l));
      console.log(`  tokens approximated as ceil(characters / ${res.charsPerToken}); no tokenizer is loaded`);
      if (res.unmatched.length)
        console.log(
          `  ${res.unmatched.length} files match no problem id, e.g. ${res.unmatched.slice(0, 3).join(', ')}`,
        );
      if (res.missing) console.log(`  ${res.missing} problems have no transcript (not counted)`);
      console.log(`wrote ${outDir}/results.jsonl, summary.json, report.md, plots/`);
    });
}
