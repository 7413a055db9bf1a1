import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { projectRoot } from '../../infra/temporal/dev-server';
import { connectClient } from '../../workers/connection';
import { firstStopSignal } from '../../workers/create';
import { readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { startInProcessWorkers } from '../in-process';
import { bringUpServer } from './dev';
import { buildPipelineInput, formatPipelineResult, runPipeline } from './pipeline';
import { controlQueue, queuePrefix } from '../../config/queues';

/** The demo's model: a small Qwen2 (random init, ~1M parameters) that trains for a few minutes on a CPU. */
export const DEMO_MODEL_CONFIG = {
  hidden_size: 128,
  intermediate_size: 352,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  tie_word_embeddings: true,
};

interface DemoOptions {
  traces: string;
  limit: string;
  keepRunning?: boolean;
  id?: string;
}

/**
 * `npm run demo`: the embedded stack and the whole pipeline offline on this machine. Countdown
 * traces the project generates -> offline curation -> a tiny Qwen2 trained by the local launcher
 * -> published to the local Hub mirror -> served by the tiny engine -> a short SPRINT evaluation.
 */
export async function runDemo(opts: DemoOptions, cmd: Command): Promise<void> {
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const config = readConfig({ config: global.config ?? path.join(projectRoot, 'config', 'demo.yaml') });
  const log = (line: string) => console.log(`sprint demo: ${line}`);
  const pool = config.models.pools.demo;
  if (!pool?.replicas[0])
    throw new CliError('the demo config needs a models.pools.demo with one replica', ExitCode.usage);

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

  // The engine waits for the published model, then serves it to the evaluation's llm worker.
  const modelFolder = path.resolve(config.hub.localMirror, repo);
  const port = new URL(pool.replicas[0].baseUrl).port || '80';
  fs.mkdirSync(path.join(projectRoot, '.sprint'), { recursive: true });
  const engineLog = path.join(projectRoot, '.sprint', 'demo-engine.log');
  const engine = spawn(
    path.join(projectRoot, '.venv', 'bin', 'python'),
    [
      path.join(projectRoot, 'infra', 'serve', 'tiny_engine.py'),
      '--model',
      modelFolder,
      '--port',
      port,
      '--served-model-name',
      pool.model,
      '--wait-for-model',
      '86400',
    ],
    { cwd: projectRoot, stdio: ['ignore', fs.openSync(engineLog, 'a'), fs.openSync(engineLog, 'a')] },
  );
  log(
    `tiny engine (pid ${engine.pid}) will serve ${modelFolder} at ${pool.replicas[0].baseUrl} once it is published (log: ${engineLog})`,
  );

  let exitCode: number = ExitCode.ok;
  try {
    const client = await connectClient(config);
    const interrupted = stopSignal.then(() => {
      throw new CliError(
        'interrupted; the pipeline keeps its state: run the demo again with --id ' + id,
        ExitCode.interrupted,
      );
    });
    const result = await Promise.race([runPipeline(client, config, input, log), interrupted]);
    console.log(formatPipelineResult(result));
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
    engine.kill('SIGTERM');
    await workers.stop().catch(() => undefined);
    if (server?.owned) {
      log('stopping the Temporal dev server');
      await server.stop();
    }
  }
  process.exit(exitCode);
}
