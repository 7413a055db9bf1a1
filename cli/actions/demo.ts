import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { projectRoot } from '../../infra/temporal/dev-server';
import { connectClient } from '../../workers/connection';
import { firstStopSignal } from '../../workers/create';
import { readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { startInProcessWorkers } from '../in-process';
import { bringUpServer } from './dev';
import type { RunSummary } from '../../core/evaluation/summary';
import { claimChecks, comparisonMarkdown, comparisonRow } from '../../core/evaluation/comparison';
import { baselineEvaluationInput, runBaselineEvaluation } from './demo-baseline';
import { startTinyEngine } from './demo-engine';
import { demoTraceSource, heldOutSplit } from './demo-held-out';
import { writeDemoReport, type DemoReport } from './demo-report';
import { buildPipelineInput, formatPipelineResult, runPipeline } from './pipeline';
import { runComparedPipelines, sequentialComparisonInput } from './pipeline-compare';
import { controlQueue, queuePrefix } from '../../config/queues';
import type { SprintConfig } from '../../config';
import type { PipelineInput } from '../../workflows/pipeline';
import { stageWorkflowId } from '../../workflows/pipeline-stages';

export { demoTraceSource } from './demo-held-out';

/**
 * The demo's model: a small Qwen2 (random init, about 0.4M parameters with the run's ~450-token
 * vocabulary). Two layers are enough to copy a number from an earlier line (one attention layer
 * finds the place, the next reads it); 128 wide, full heads (no grouped KV): the shape measured to
 * copy the numbers (docs/demo.md#the-model-and-the-task).
 */
export const DEMO_MODEL_CONFIG = {
  hidden_size: 128,
  intermediate_size: 256,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  tie_word_embeddings: true,
};

interface DemoOptions {
  traces: string;
  limit: string;
  keepRunning?: boolean;
  id?: string;
}

const posInt = (v: string, flag: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag}: expected a positive integer, got "${v}"`, ExitCode.usage);
  return n;
};

/** The three pools the demo serves: the SPRINT model, the sequential control, the untrained weights. */
const DEMO_POOLS = { sprint: 'demo', sequential: 'demo-sequential', untrained: 'demo-init' } as const;

function demoPools(config: SprintConfig) {
  const pools = Object.values(DEMO_POOLS).map((name) => ({ name, pool: config.models.pools[name] }));
  const missing = pools.filter((p) => !p.pool?.replicas[0]).map((p) => p.name);
  if (missing.length)
    throw new CliError(
      `the demo config needs models.pools.${Object.values(DEMO_POOLS).join(', ')} (one replica each); missing: ${missing.join(', ')}`,
      ExitCode.usage,
    );
  const get = (name: string) => {
    const p = config.models.pools[name]!;
    return { model: p.model, baseUrl: p.replicas[0]!.baseUrl };
  };
  return {
    sprint: get(DEMO_POOLS.sprint),
    sequential: get(DEMO_POOLS.sequential),
    untrained: get(DEMO_POOLS.untrained),
  };
}

/** The workflow id of the session of an evaluation's first recorded problem (its UI link). */
function firstSessionId(outDir: string, s: RunSummary): string | undefined {
  try {
    const line = fs.readFileSync(path.join(outDir, 'results.jsonl'), 'utf8').split('\n')[0];
    const problemId = line ? (JSON.parse(line) as { problemId?: string }).problemId : undefined;
    return problemId ? `${s.evalId}/${s.method}/${problemId}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `npm run demo`: the embedded stack and the paper's comparison in miniature on this machine.
 * Countdown traces the project generates (none of them an evaluation problem) -> offline curation
 * -> two tiny Qwen2 models trained side by side by the local launcher with the same steps: one on
 * the SPRINT samples (every executor trained where the session calls it), one on the same
 * traces as plain sequential completions -> published to the local Hub mirror -> served by tiny
 * engines -> both evaluated on the held-out problems (`--method sprint` and `--method sequential`),
 * next to the untrained initial weights. The table, its chart and the UI links end the run and are
 * written to the run folder (docs/demo.md).
 */
export async function runDemo(opts: DemoOptions, cmd: Command): Promise<void> {
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const config = readConfig({ config: global.config ?? path.join(projectRoot, 'config', 'demo.yaml') });
  const log = (line: string) => console.log(`sprint demo: ${line}`);
  const pools = demoPools(config);
  const traces = posInt(opts.traces, '--traces');
  const limit = posInt(opts.limit, '--limit');
  const startedAt = Date.now();

  // Before anything runs: the evaluation problems and a check that no training trace has one.
  const heldOut = heldOutSplit(config, traces, limit);
  for (const line of heldOut.lines) log(line);

  log('checking the Python environment (.venv: torch, transformers) ...');
  const setup = spawnSync('bash', [path.join(projectRoot, 'scripts', 'setup-python.sh')], {
    stdio: 'inherit',
    cwd: projectRoot,
  });
  if (setup.status !== 0)
    throw new CliError('the Python environment could not be set up (see above)', ExitCode.failed);

  // The two trainers (the SPRINT model and its control) run side by side, each by default with one
  // torch thread per core: four spinning threads on two cores. Half the cores each instead
  // (measured under load, two trainers of 200 steps: 239 s with two threads each, 46 s with one).
  // The trainers inherit it from the in-process workers; a value the user set is kept.
  process.env.OMP_NUM_THREADS ??= String(Math.max(1, Math.floor(os.cpus().length / 2)));
  const stopSignal = firstStopSignal(log);
  const server = await bringUpServer(config, log);
  // Attached to someone else's server, the demo must not hand its tasks to their workers (nor
  // take theirs): its queues carry its own prefix (config/deployment.ts).
  log(`this stack's task queues: ${controlQueue(config)}, ... (prefix "${queuePrefix(config)}")`);
  // ERROR only: while the engine loads the model, refused model calls are retried (WARN noise).
  const workers = await startInProcessWorkers(config, [{ role: 'all' }], {
    logLevel: 'ERROR',
    until: stopSignal,
  });
  log(`workers polling: ${workers.queues.join(', ')}`);

  const id = opts.id ?? `demo-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  const repo = 'local/sprint-tiny-demo';
  const input = buildPipelineInput(config, {
    id,
    generate: opts.traces,
    ...demoTraceSource(config),
    benchmarkQuestion: true,
    excludeProblems: heldOut.evaluation,
    extractor: 'offline',
    tiny: true,
    modelConfig: DEMO_MODEL_CONFIG,
    launcher: 'local',
    repo,
    benchmark: 'countdown',
    method: 'sprint',
    limit: opts.limit,
    pool: DEMO_POOLS.sprint,
  });
  const control = sequentialComparisonInput(config, input, {
    pool: DEMO_POOLS.sequential,
    repo: `${repo}-sequential`,
  });

  // Each engine starts once its pipeline's publish stage is done (a model of an earlier run may
  // still be in the mirror folder), then serves the evaluation's llm worker, which retries until it is up.
  const engines: ReturnType<typeof startTinyEngine>[] = [];
  const started = new Set<string>();
  const startEngine = (which: 'sprint' | 'sequential' | 'untrained', modelFolder: string) => {
    if (started.has(which)) return;
    started.add(which);
    const pool = pools[which];
    const engine = startTinyEngine({
      modelFolder,
      baseUrl: pool.baseUrl,
      servedName: pool.model,
      logName: `demo-engine-${which}.log`,
    });
    engines.push(engine);
    log(
      `tiny engine (pid ${engine.process.pid}) serves the ${which} model ${modelFolder} at ${pool.baseUrl} (log: ${engine.logFile})`,
    );
  };
  const mirrorFolder = (p: PipelineInput) => path.resolve(config.hub.localMirror, p.publish!.repo);

  let exitCode: number = ExitCode.ok;
  try {
    const client = await connectClient(config);
    const interrupted = stopSignal.then(() => {
      throw new CliError(
        'interrupted; the pipelines keep their state: run the demo again with --id ' + id,
        ExitCode.interrupted,
      );
    });
    // The untrained row needs only the initial weights the SPRINT trainer saved when it started
    // (beside its final model). Its evaluation starts once both trainings are done and runs beside
    // the trained models' evaluations instead of after them: each tiny engine decodes on one
    // thread, so on two cores the rows share the machine rather than wait for each other.
    const baseline = baselineEvaluationInput(config, input, DEMO_POOLS.untrained);
    let untrainedEvaluation: Promise<RunSummary> | undefined;
    const evaluateUntrained = (initFolder: string): Promise<RunSummary> => {
      if (!untrainedEvaluation) {
        startEngine('untrained', initFolder);
        log(`evaluating the untrained model ${initFolder} on the same problems`);
        untrainedEvaluation = runBaselineEvaluation(client, config, baseline, id);
        // Awaited after the pipelines; until then a failure must not count as unhandled.
        untrainedEvaluation.catch(() => undefined);
      }
      return untrainedEvaluation;
    };
    const trained = new Set<string>();
    const both = await Promise.race([
      runComparedPipelines(runPipeline, client, config, input, control, log, (which, stage, state) => {
        if (stage === 'publish' && (state === 'completed' || state === 'reused'))
          startEngine(which, mirrorFolder(which === 'sprint' ? input : control));
        if (stage === 'train' && (state === 'completed' || state === 'reused')) {
          trained.add(which);
          // The training run's folder: its run id under training.runsDir.
          const runId = stageWorkflowId(input.pipelineId, 'train');
          const initFolder = path.resolve(config.training.runsDir, runId, 'init');
          if (trained.size === 2 && fs.existsSync(initFolder)) void evaluateUntrained(initFolder);
        }
      }),
      interrupted,
    ]);
    console.log(formatPipelineResult(both.sprint));
    console.log(formatPipelineResult(both.sequential));

    // The untrained weights the SPRINT model's trainer started from (saved beside the tokenizer),
    // evaluated as the SPRINT model is: the same problems, method and settings.
    const sprintEval = both.sprint.evaluation;
    const sequentialEval = both.sequential.evaluation;
    const modelDir = both.sprint.training?.modelDir;
    if (!sprintEval || !sequentialEval || !modelDir)
      throw new CliError('a pipeline ended without its training or evaluation (see above)', ExitCode.failed);
    const before = await Promise.race([
      evaluateUntrained(path.join(path.dirname(modelDir), 'init')),
      interrupted,
    ]);

    const rows = {
      untrained: comparisonRow('untrained initial weights', before),
      sequential: comparisonRow('sequential (trained on the traces)', sequentialEval.summary),
      sprint: comparisonRow('SPRINT (trained on the curated samples)', sprintEval.summary),
    };
    const checks = claimChecks(rows);
    const runDir = path.dirname(input.evaluate!.outDir);
    const sessionLink = (label: string, outDir: string, s: RunSummary) => {
      const wid = firstSessionId(outDir, s);
      return wid ? [{ label, url: uiLink(config, wid) }] : [];
    };
    const report: DemoReport = {
      rows: [rows.untrained, rows.sequential, rows.sprint],
      notes: [
        `${limit} held-out Countdown problems (evaluation.countdown, seed ${config.evaluation.countdown.seed}); none is a training problem (numbers and target). Same engine settings for every row (greedy, session settings of config/demo.yaml).`,
        `both models: the same ${traces} traces, base weights, steps and hyperparameters (${both.sprint.training?.steps ?? '?'} and ${both.sequential.training?.steps ?? '?'} steps)`,
        `wall times measured on this machine (${os.cpus().length} CPUs, load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} at the end; the whole demo took ${((Date.now() - startedAt) / 60000).toFixed(1)} min)`,
        ...checks.map((c) => c.line),
      ],
      links: [
        { label: 'SPRINT pipeline', url: uiLink(config, input.pipelineId) },
        { label: 'sequential pipeline', url: uiLink(config, control.pipelineId) },
        ...sessionLink('a SPRINT session', sprintEval.outDir, sprintEval.summary),
        ...sessionLink('a sequential session', sequentialEval.outDir, sequentialEval.summary),
        ...sessionLink('a session of the untrained model', baseline.outDir, before),
      ],
      settings: {
        traces,
        problems: limit,
        model: DEMO_MODEL_CONFIG,
        hyperparameters: config.training.hyperparameters,
      },
    };
    const title = `sprint demo ${id}: ${limit} held-out Countdown problems`;
    const files = writeDemoReport(runDir, report, title);
    console.log('');
    console.log(comparisonMarkdown(report.rows));
    for (const n of report.notes) log(n);
    for (const l of report.links) log(`${l.label}: ${l.url}`);
    log(`table: ${files.md} and ${files.json}; chart: ${files.svg} and ${files.png}`);
    log(
      `all pipeline runs: ${uiLink(config, '').replace(/\/workflows\/$/, '/workflows')}?query=SprintKind%3D%22pipeline%22`,
    );
    if (server?.owned && !opts.keepRunning)
      log('the state stays in the SQLite file: `npx sprint dev` brings the UI back with this run in it');
    if (opts.keepRunning) {
      log('keeping the stack up; press Ctrl-C to stop');
      await stopSignal;
    }
    await client.connection.close();
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`sprint demo: ${err.message}`);
      exitCode = err.exitCode;
    } else {
      console.error(`sprint demo: ${(err as Error).message}`);
      exitCode = ExitCode.failed;
    }
  } finally {
    for (const e of engines) e.process.kill('SIGTERM');
    await workers.stop().catch(() => undefined);
    if (server?.owned) {
      log('stopping the Temporal dev server');
      await server.stop();
    }
  }
  process.exit(exitCode);
}
