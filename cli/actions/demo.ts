import { spawnSync } from 'node:child_process';
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
import { generateCountdownTraces, type CountdownTraceShape } from '../../core/traces/countdown';
import { generateCountdown } from '../../core/benchmarks';
import { countdownOverlap } from '../../core/traces/overlap';
import type { SprintConfig } from '../../config';
import { baselineEvaluationInput, runBaselineEvaluation } from './demo-baseline';
import { startTinyEngine } from './demo-engine';
import { buildPipelineInput, formatPipelineResult, runPipeline } from './pipeline';
import { controlQueue, queuePrefix } from '../../config/queues';

/**
 * The demo's model: a small Qwen2 (random init, about 0.4M parameters with the run's ~450-token
 * vocabulary). Two layers are enough to copy a number from an earlier line (one attention layer
 * finds the place, the next reads it); 128 wide, full heads (no grouped KV): the shape measured to
 * copy the numbers (README, "The demo"); 64 wide x 3 layers was only tried with the tokenizer
 * mismatch that README paragraph describes.
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

/** Training traces come from another seed than the evaluation's problems. */
const TRACE_SEED = 2;
/** One failed attempt before the one that works: short samples, so minutes of CPU training go far. */
const TRACE_FAILED_ATTEMPTS = 1;

/**
 * The demo's training traces: the shape of the evaluation's Countdown problems
 * (evaluation.countdown), one failed attempt each, from another seed than the problems.
 */
export function demoTraceSource(config: SprintConfig): {
  generateSeed: number;
  traceShape: CountdownTraceShape;
} {
  const {
    count: _count,
    seed: _seed,
    requireIntegerDivision: _exact,
    ...shape
  } = config.evaluation.countdown;
  return {
    generateSeed: TRACE_SEED,
    traceShape: { ...shape, maxFailedAttempts: TRACE_FAILED_ATTEMPTS, style: 'terse', verify: false },
  };
}

/**
 * How many of the evaluated problems the training traces also hold (numbers and target): with two
 * numbers up to 9 the problem space is small, so the demo says how much of its "after" could be recall.
 */
export function demoOverlapLine(config: SprintConfig, traces: number, problems: number): string {
  const { generateSeed, traceShape } = demoTraceSource(config);
  const cd = config.evaluation.countdown;
  const evaluated = generateCountdown(problems, cd.seed, cd).flatMap((p) =>
    p.target.kind === 'countdown' ? [p.target] : [],
  );
  const { shared, of } = countdownOverlap(
    evaluated,
    generateCountdownTraces(traces, generateSeed, traceShape),
  );
  return `${shared} of the ${of} evaluated problems (numbers and target) are also among the ${traces} training traces (seed ${generateSeed}; problems: seed ${cd.seed})`;
}

function accuracyLine(label: string, s: RunSummary): string {
  return `${label} ${s.correct}/${s.problems} correct (${(s.accuracy * 100).toFixed(1)}%), answered ${s.problems - s.noAnswer}, mean sequential tokens ${s.tokens.meanSequential}`;
}

/**
 * `npm run demo`: the embedded stack and the whole pipeline offline on this machine. Countdown
 * traces the project generates -> offline curation -> a tiny Qwen2 trained by the local launcher
 * -> published to the local Hub mirror -> served by the tiny engine -> a short SPRINT evaluation,
 * then the same evaluation of the untrained initial weights, so the output shows what was learned.
 * The traces have the size of the evaluation's Countdown problems (evaluation.countdown) and ask
 * the benchmark's question: small enough that a tiny model learns it on a CPU in minutes.
 */
export async function runDemo(opts: DemoOptions, cmd: Command): Promise<void> {
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const config = readConfig({ config: global.config ?? path.join(projectRoot, 'config', 'demo.yaml') });
  const log = (line: string) => console.log(`sprint demo: ${line}`);
  const pool = config.models.pools.demo;
  const initPool = config.models.pools['demo-init'];
  if (!pool?.replicas[0] || !initPool?.replicas[0])
    throw new CliError(
      'the demo config needs models.pools.demo (the trained model) and models.pools.demo-init (the untrained one), one replica each',
      ExitCode.usage,
    );

  log('checking the Python environment (.venv: torch, transformers) ...');
  const setup = spawnSync('bash', [path.join(projectRoot, 'scripts', 'setup-python.sh')], {
    stdio: 'inherit',
    cwd: projectRoot,
  });
  if (setup.status !== 0)
    throw new CliError('the Python environment could not be set up (see above)', ExitCode.failed);

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
    extractor: 'offline',
    tiny: true,
    modelConfig: DEMO_MODEL_CONFIG,
    launcher: 'local',
    repo,
    benchmark: 'countdown',
    method: 'sprint',
    limit: opts.limit,
    pool: 'demo',
  });

  // The engine starts once this run's publish stage is done (a model of an earlier run may still be in
  // the mirror folder), then serves it to the evaluation's llm worker, which retries until it is up.
  const modelFolder = path.resolve(config.hub.localMirror, repo);
  const engines: ReturnType<typeof startTinyEngine>[] = [];
  const startEngineOnPublish = (stage: string, state: string) => {
    if (stage !== 'publish' || (state !== 'completed' && state !== 'reused') || engines.length) return;
    const engine = startTinyEngine({
      modelFolder,
      baseUrl: pool.replicas[0]!.baseUrl,
      servedName: pool.model,
      logName: 'demo-engine.log',
    });
    engines.push(engine);
    log(
      `tiny engine (pid ${engine.process.pid}) serves ${modelFolder} at ${pool.replicas[0]!.baseUrl} (log: ${engine.logFile})`,
    );
  };

  let exitCode: number = ExitCode.ok;
  try {
    const client = await connectClient(config);
    const interrupted = stopSignal.then(() => {
      throw new CliError(
        'interrupted; the pipeline keeps its state: run the demo again with --id ' + id,
        ExitCode.interrupted,
      );
    });
    const result = await Promise.race([
      runPipeline(client, config, input, log, startEngineOnPublish),
      interrupted,
    ]);
    console.log(formatPipelineResult(result));

    // The same evaluation of the untrained weights the trainer started from (saved beside the tokenizer).
    const after = result.evaluation?.summary;
    const modelDir = result.training?.modelDir;
    if (after && modelDir) {
      const initFolder = path.join(path.dirname(modelDir), 'init');
      const initEngine = startTinyEngine({
        modelFolder: initFolder,
        baseUrl: initPool.replicas[0].baseUrl,
        servedName: initPool.model,
        logName: 'demo-engine-init.log',
      });
      engines.push(initEngine);
      log(
        `evaluating the untrained model ${initFolder} on the same problems (engine log: ${initEngine.logFile})`,
      );
      const baseline = baselineEvaluationInput(config, input, 'demo-init');
      const before = await Promise.race([runBaselineEvaluation(client, config, baseline, id), interrupted]);
      log(`${after.method} on ${after.benchmark}, the same ${after.problems} problems and settings:`);
      log(accuracyLine('  before training (untrained init weights):', before));
      log(accuracyLine('  after training  (published model):       ', after));
      log(`  ${demoOverlapLine(config, Number(opts.traces), after.problems)}`);
    }
    log(`the whole run in the Web UI: ${uiLink(config, id)}`);
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
