import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import {
  servedPoolRoute,
  baselinePromptTemplate,
  runPriorityParts,
  withSessionFiles,
  type SprintConfig,
} from '../../config';
import type { PriorityClassName } from '../../core/priority/classes';
import { ModelClient } from '../../io/model-client';
import { readRecords, writeCrossReport } from '../../io/evaluation/report';
import { scoreTrajectories } from '../../io/evaluation/score';
import { benchmarkNames, benchmarkRegistry, type BenchmarkName } from '../../core/benchmarks';
import { unknownName } from '../../core/closed-set';
import type { GraderName } from '../../core/grading/graders';
import { renderReport } from '../../core/evaluation/markdown';
import { comparePaired, summarize, type RunSummary } from '../../core/evaluation/summary';
import { methodNames, type MethodName } from '../../core/method-result';
import {
  evaluationProgressQuery,
  evaluationWorkflow,
  type EvaluationInput,
  type EvaluationResult,
} from '../../workflows/evaluation';
import { clientFor, readConfig, readConfigWithPools, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { followWorkflow, queryPoll, startInProcessWorkers, type WorkerSpec } from '../in-process';
import { controlQueue } from '../../config/queues';
import { tracedCommand } from '../command-trace';
import { failureMessage } from '../../core/failure-message';

const ADHOC_POOL = 'eval-endpoint';

/** Option values with choices were checked by commander; required ones may still be missing. */
interface EvalOptions {
  benchmark?: BenchmarkName;
  method?: MethodName;
  endpoint?: string;
  model?: string;
  pool?: string;
  limit?: string;
  concurrency?: string;
  data?: string;
  out?: string;
  id?: string;
  samples?: string;
  /** Checked by commander (the option's choices). */
  priority?: PriorityClassName;
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

/** A flag `eval` needs (not mandatory to commander: the subcommands share the parent's options). */
function required<T extends string>(value: T | undefined, flag: string, known: readonly T[]): T {
  if (!value) throw new CliError(`${flag} is required (one of: ${known.join(', ')})`, ExitCode.usage);
  return value;
}

/** Method settings for each child workflow, from the evaluation config section. */
export function methodSettings(
  config: SprintConfig,
  method: MethodName,
  samples?: number,
): Record<string, unknown> {
  const ev = config.evaluation;
  // The baselines' template, rendered from the model's own tokenizer config when one is named.
  const template = () =>
    ev.chatTemplateFile ? { promptTemplate: baselinePromptTemplate(ev.chatTemplateFile) } : {};
  switch (method) {
    case 'sot':
      return { ...ev.sot, ...template(), temperature: ev.temperature };
    case 'sc':
      return { ...ev.sc, ...template(), ...(samples ? { samples } : {}), temperature: ev.temperature };
    case 'sequential':
    case 'sprint':
      // the session workflows validate these against the `session` section's schema; the
      // files it names are read here, since workflows cannot read files
      return { ...withSessionFiles(config.session), temperature: ev.temperature };
    default:
      return unknownName('method', method, methodNames);
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

/** `sprint eval`: runs the evaluation workflow and shows its progress. */
export async function runEval(opts: EvalOptions, cmd: Command): Promise<void> {
  const benchmark = required(opts.benchmark, '--benchmark', benchmarkNames);
  const method = required(opts.method, '--method', methodNames);
  if (!opts.out)
    throw new CliError(
      '--out DIR is required (the run folder for results.jsonl, summary.json, report.md)',
      ExitCode.usage,
    );
  const limit = positiveInt(opts.limit, '--limit');
  const concurrency = positiveInt(opts.concurrency, '--concurrency');
  const samples = positiveInt(opts.samples, '--samples');
  const global = cmd.optsWithGlobals<GlobalOptions>();
  let config: SprintConfig = readConfig(global);
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
    // an ad-hoc pool beside the configured ones, served by an llm worker in this process
    config = readConfigWithPools(
      global,
      { [ADHOC_POOL]: { model, engine: 'generic', replicas: [{ name: 'r0', baseUrl: opts.endpoint }] } },
      { evaluation: { pool: ADHOC_POOL } },
    );
  }
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
    routing: { planner: servedPoolRoute(config, pool), executor: servedPoolRoute(config, pool) },
  };
  // Batch by default; the fairness key is the evaluation's id, so two evaluations share the pool.
  const priority = runPriorityParts(config, { command: 'eval', runId: evalId, class: opts.priority });
  await tracedCommand(
    config,
    'eval',
    { 'sprint.method': method, 'sprint.benchmark': benchmark },
    async () => {
      const client = await clientFor(config);

      // Workers this command runs itself: the ad-hoc pool's llm worker, and with --workers the control worker.
      const specs: WorkerSpec[] = [
        ...(opts.endpoint ? [{ role: 'llm' as const, pool: ADHOC_POOL }] : []),
        ...(opts.workers ? [{ role: 'control' as const }] : []),
      ];
      const workers = specs.length ? await startInProcessWorkers(config, specs) : undefined;
      const workflowId = `eval-${evalId}`;
      const log = (line: string) => console.log(line);
      try {
        const handle = await client.workflow.start(evaluationWorkflow, {
          taskQueue: controlQueue(config),
          workflowId,
          args: [{ ...input, ...priority.input }],
          ...priority.start,
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: `evaluate ${method} on ${benchmark}${limit ? ` (${limit} problems)` : ''}`,
        });
        if (!opts.json) {
          log(`evaluation ${evalId}: ${method} on ${benchmark}, pool ${pool}, out ${outDir}`);
          log(`UI: ${uiLink(config, workflowId)}`);
        }
        let total = 0;
        const display = opts.json ? undefined : progressDisplay(() => total);
        const showProgress = queryPoll(handle, evaluationProgressQuery, (p) => {
          total = p.total;
          if (total > 0) display?.update(p.done, p.correct, p.running.length);
        });
        let out: EvaluationResult;
        try {
          out = await followWorkflow<EvaluationResult>(handle, 1000, showProgress);
          display?.update(out.summary.problems, out.summary.correct, 0);
        } catch (err) {
          throw new CliError(`evaluation ${evalId} failed: ${failureMessage(err)}`, ExitCode.failed);
        } finally {
          display?.stop();
        }
        if (opts.json) {
          console.log(JSON.stringify(out, null, 2));
          return;
        }
        printSummary(out.summary, log);
        if (out.resumed)
          log(`  resumed: ${out.resumed} problems were finished by an earlier run and not redone`);
        if (out.loadErrors.length)
          log(`  ${out.loadErrors.length} benchmark records skipped, first: ${out.loadErrors[0]}`);
        log(`wrote ${path.join(outDir, 'results.jsonl')}, summary.json, report.md, plots/`);
      } finally {
        await workers?.stop();
      }
    },
  );
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

/** `sprint eval compare`: --out/--json are also options of `eval`, where commander may put them. */
export async function runEvalCompare(a: string, b: string, _opts: unknown, cmd: Command): Promise<void> {
  await compareRuns(a, b, cmd.optsWithGlobals<{ out?: string; json?: boolean }>());
}

/** `sprint eval report`: a report across run folders. */
export async function runEvalReport(runs: string[], _opts: unknown, cmd: Command): Promise<void> {
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
}

/** `sprint eval score`: grades transcripts produced elsewhere. */
export async function runEvalScore(_opts: unknown, cmd: Command): Promise<void> {
  // --benchmark/--data/--out/--json are also options of `eval`, where commander may put them
  const opts = cmd.optsWithGlobals<
    GlobalOptions & {
      trajectories?: string;
      benchmark?: BenchmarkName;
      data?: string;
      out?: string;
      charsPerToken?: string;
      grader: GraderName;
      json?: boolean;
    }
  >();
  if (!opts.trajectories) throw new CliError('--trajectories DIR is required', ExitCode.usage);
  const trajectories = opts.trajectories;
  const config = readConfig(opts);
  const benchmark = required(opts.benchmark, '--benchmark', benchmarkNames);
  const cpt = opts.charsPerToken === undefined ? undefined : Number(opts.charsPerToken);
  if (cpt !== undefined && !(cpt > 0))
    throw new CliError('--chars-per-token must be a positive number', ExitCode.usage);
  const grader = opts.grader;
  if (grader === 'math-verify' && benchmarkRegistry[benchmark].answerKind !== 'math') {
    const math = benchmarkNames.filter((b) => benchmarkRegistry[b].answerKind === 'math');
    throw new CliError(
      `--grader math-verify grades math answers: use it with ${math.join(' or ')}`,
      ExitCode.usage,
    );
  }
  const outDir = path.resolve(opts.out ?? `${trajectories.replace(/\/+$/, '')}-scored`);
  const res = await scoreTrajectories({
    trajectoriesDir: trajectories,
    benchmark,
    dataFile: opts.data,
    outDir,
    config,
    charsPerToken: cpt,
    ...(grader === 'math-verify' ? { grader } : {}),
  }).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.usage);
  });
  if (opts.json) {
    console.log(JSON.stringify(res, null, 2));
    return;
  }
  console.log(
    `${res.matched.length} of ${res.files} files matched a ${benchmark} problem; ${res.unmatched.length} did not`,
  );
  for (const u of res.unmatched.slice(0, 20)) console.log(`  not scored: ${u.file} (${u.reason})`);
  if (res.unmatched.length > 20) console.log(`  ... and ${res.unmatched.length - 20} more`);
  for (const run of res.runs) {
    printSummary(run.summary, (l) => console.log(l));
    if (run.missing)
      console.log(`  ${run.missing} problems have no transcript in run ${run.run} (not counted)`);
    console.log(`  wrote ${run.outDir}/results.jsonl, summary.json, report.md, plots/`);
  }
  console.log(`  tokens approximated as ceil(characters / ${res.charsPerToken}); no tokenizer is loaded`);
  const cc = res.crossCheck;
  if (cc) {
    console.log(
      `${cc.grader} agrees with the built-in grader on ${cc.agreed} of ${cc.compared} files = ${(cc.rate * 100).toFixed(1)}% ` +
        `(correct: built-in ${cc.builtinCorrect}, ${cc.grader} ${cc.otherCorrect}; ${cc.errors} not gradable by ${cc.grader})`,
    );
    for (const d of cc.disagreements.slice(0, 10))
      console.log(
        `  ${d.id}: built-in ${d.builtin ? 'correct' : 'wrong'}, ${cc.grader} ${d.other ? 'correct' : 'wrong'}${d.error ? ` (${d.error})` : ''}`,
      );
    console.log(`wrote ${path.join(outDir, 'grader-agreement.json')}`);
  }
  console.log(`wrote ${path.join(outDir, 'files.json')} (every file: its problem or why it was not scored)`);
}
