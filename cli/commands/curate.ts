import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createWorkers, workerLogger } from '../../workers/create';
import type { CurationSettings, CurationSource } from '../../activities/curation';
import type { SprintConfig } from '../../config';
import { renderStagesTrajectory } from '../../core/curation/render';
import { pack, PackingError, type Component, type Dag } from '../../core/packing';
import { generateCountdownTraces } from '../../core/traces/countdown';
import { curationWorkflow } from '../../workflows';
import type { CurationInput, CurationProgress, CurationResult } from '../../workflows/curation';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { controlQueue, curationQueue } from '../../config/queues';

interface CurateOptions {
  input?: string;
  hub?: string;
  generate?: string;
  out?: string;
  extractor?: string;
  limit?: string;
  concurrency?: string;
  runKey?: string;
  dataset?: string;
  withWorkers?: boolean;
  push?: string;
  json?: boolean;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag} must be a positive integer (got "${value}")`, ExitCode.usage);
  return n;
}

function sourceOf(opts: CurateOptions): CurationSource {
  const given = [opts.input, opts.hub, opts.generate].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw new CliError(
      'give exactly one of --input FILE, --hub OWNER/NAME[:PATH] or --generate N',
      ExitCode.usage,
    );
  if (opts.input) {
    const file = path.resolve(opts.input);
    if (!fs.existsSync(file)) throw new CliError(`input file ${file} does not exist`, ExitCode.usage);
    return { kind: 'file', path: file };
  }
  if (opts.hub) {
    const [repo, ...rest] = opts.hub.split(':');
    if (!repo || !/^[^/\s]+\/[^/\s]+$/.test(repo))
      throw new CliError(`--hub expects OWNER/NAME[:PATH] (got "${opts.hub}")`, ExitCode.usage);
    return { kind: 'hub', repo, ...(rest.length ? { path: rest.join(':') } : {}) };
  }
  return { kind: 'generate', count: positiveInt(opts.generate, '--generate')!, seed: 1 };
}

function settingsFrom(config: SprintConfig, opts: CurateOptions): CurationSettings {
  const extractor = opts.extractor ?? config.curation.extractor;
  if (extractor !== 'offline' && extractor !== 'llm') {
    throw new CliError(`--extractor must be "offline" or "llm" (got "${extractor}")`, ExitCode.usage);
  }
  const concurrency = positiveInt(opts.concurrency, '--concurrency') ?? config.curation.concurrency;
  return { ...config.curation, extractor, concurrency };
}

function summary(result: CurationResult): string {
  const c = result.counts;
  const s = result.stats;
  return [
    `dataset:   ${result.datasetDir}`,
    `traces:    ${c.traces} (input lines ${c.inputLines}, ${c.inputRejects} rejected lines: see rejects.jsonl)`,
    `kept:      ${c.kept} (${(s.keptFraction * 100).toFixed(1)}%), rejected ${c.rejected}, failed ${c.failed}`,
    `split:     ${c.train} train / ${c.test} test`,
    `ratio:     mean ${s.ratio.meanAll.toFixed(2)} (kept ${s.ratio.meanKept.toFixed(2)}), stages (kept) ${s.stages.meanKept.toFixed(2)}`,
    `reasons:   ${
      Object.entries(s.reasons)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || 'none'
    }`,
    `model:     ${result.tokens} tokens, estimated $${result.costUsd.toFixed(4)}; reused ${result.reused} finished traces`,
    `report:    ${path.join(result.datasetDir, 'report.md')}`,
    ...(result.hub
      ? [
          `pushed:    ${result.hub.location} (${result.hub.uploaded.length} files uploaded, ${result.hub.unchanged.length} unchanged)`,
        ]
      : []),
  ].join('\n');
}

async function runCurate(opts: CurateOptions, cmd: Command): Promise<void> {
  if (!opts.out) throw new CliError('--out DIR is required', ExitCode.usage);
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const source = sourceOf(opts);
  const settings = settingsFrom(config, opts);
  const limit = positiveInt(opts.limit, '--limit');
  const outDir = path.resolve(opts.out);
  const workflowId = `curate-${opts.runKey ?? new Date().toISOString().replace(/[:.]/g, '-')}`;
  const input: CurationInput = {
    source,
    outDir,
    taskQueue: curationQueue(config),
    settings,
    ...(limit !== undefined ? { limit } : {}),
    ...(opts.dataset ? { dataset: opts.dataset } : {}),
    ...(opts.runKey ? { runKey: opts.runKey } : {}),
    ...(opts.push ? { pushToHub: { repo: opts.push } } : {}),
  };
  const client = await clientFor(config);
  let stopWorkers: (() => Promise<void>) | undefined;
  if (opts.withWorkers) {
    Runtime.install({ shutdownSignals: [], logger: workerLogger() });
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    const workers = [
      ...(await createWorkers('control', { config, connection })),
      ...(await createWorkers('curation', { config, connection })),
    ];
    const running = Promise.all(workers.map((w) => w.run()));
    stopWorkers = async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
    };
  }
  try {
    const handle = await client.workflow.start(curationWorkflow, {
      taskQueue: controlQueue(config),
      workflowId,
      args: [input],
      staticSummary: `curate ${source.kind === 'file' ? path.basename(source.path) : source.kind === 'hub' ? source.repo : `${source.count} generated traces`} -> ${outDir} (${settings.extractor})`,
    });
    if (!opts.json) console.error(`curation ${workflowId} started: ${uiLink(config, workflowId)}`);
    // cli-progress: small, widely used, redraws one line on a TTY; off when stderr is not a terminal.
    const bar =
      !opts.json && process.stderr.isTTY
        ? new SingleBar(
            {
              format:
                'curating [{bar}] {value}/{total} traces | kept {kept} | rejected {rejected} | failed {failed} | {phase}',
              stream: process.stderr,
              hideCursor: true,
            },
            undefined,
          )
        : undefined;
    let started = false;
    let lastLogged = -1;
    const poll = setInterval(() => {
      void handle
        .query<CurationProgress>('progress')
        .then((p) => {
          if (bar) {
            if (!started && p.total) {
              bar.start(p.total, p.done, p);
              started = true;
            } else if (started) bar.update(p.done, p);
          } else if (!opts.json && p.total && Math.floor((10 * p.done) / p.total) > lastLogged) {
            lastLogged = Math.floor((10 * p.done) / p.total);
            console.error(
              `curating: ${p.done}/${p.total} traces (kept ${p.kept}, rejected ${p.rejected}, failed ${p.failed})`,
            );
          }
        })
        .catch(() => undefined);
    }, 500);
    let result: CurationResult;
    try {
      result = await handle.result();
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        throw new CliError(`curation failed: ${err.cause?.message ?? err.message}`, ExitCode.failed);
      }
      throw err;
    } finally {
      clearInterval(poll);
      if (started) {
        bar?.update(bar.getTotal());
        bar?.stop();
      }
    }
    console.log(opts.json ? JSON.stringify(result, null, 2) : summary(result));
  } finally {
    await stopWorkers?.();
  }
}

function readJsonFile<T>(file: string, what: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as Error).message}`, ExitCode.usage);
  }
}

/** Accepts the documented component shape and fills optional fields. */
function normalizeComponents(raw: unknown, file: string): Component[] {
  const list = Array.isArray(raw) ? raw : (raw as { components?: unknown })?.components;
  if (!Array.isArray(list)) throw new CliError(`${file}: expected an array of components`, ExitCode.usage);
  return list.map((c: Record<string, unknown>, i) => {
    if (typeof c.id !== 'number')
      throw new CliError(`${file}: component ${i + 1} has no numeric "id"`, ExitCode.usage);
    if (!Array.isArray(c.planLines))
      throw new CliError(`${file}: component ${c.id} has no "planLines": [a, b]`, ExitCode.usage);
    return {
      id: c.id,
      plan: typeof c.plan === 'string' ? c.plan : '',
      prompt: typeof c.prompt === 'string' ? c.prompt : null,
      execution: typeof c.execution === 'string' ? c.execution : null,
      planLines: c.planLines as [number, number],
      executionLines: Array.isArray(c.executionLines) ? (c.executionLines as [number, number]) : null,
      ...(typeof c.description === 'string' ? { description: c.description } : {}),
    };
  });
}

export function registerCurate(program: Command): void {
  const curate = program
    .command('curate')
    .description('Turn sequential reasoning traces into SPRINT training samples (dataset, stats, report)')
    .option(
      '-i, --input <file>',
      'JSONL traces: {question, trace, solution} or R1 shapes (conversations, <think>)',
    )
    .option('--hub <repo>', 'read JSONL files of a Hub dataset: OWNER/NAME[:PATH]')
    .option('--generate <n>', 'curate N generated Countdown traces (no input file needed)')
    .option(
      '-o, --out <dir>',
      'dataset folder to write (sprint/ and rft/ train/test JSONL, stats.json, report.md)',
    )
    .option('--extractor <kind>', 'offline (no model) or llm (config roles extractor and dag)')
    .option('--limit <n>', 'curate at most N traces')
    .option('--concurrency <n>', 'traces in flight at once (default: config curation.concurrency)')
    .option('--run-key <key>', 'name of the run; rerunning with the same key skips finished traces')
    .option('--dataset <name>', 'dataset name shown in the UI (search attribute SprintDataset)')
    .option(
      '--push <repo>',
      'push the dataset to this Hub dataset repo (OWNER/NAME; local mirror without a token)',
    )
    .option('--with-workers', 'run control and curation workers in this process (no `sprint dev` needed)')
    .option('--json', 'print the result object as JSON')
    .action((opts: CurateOptions, cmd: Command) => runCurate(opts, cmd));

  curate
    .command('pack')
    .description('Pack one extracted trace: print its stages and parallelization ratio')
    .requiredOption('--components <file>', 'components JSON (see README, "Curation")')
    .requiredOption('--dag <file>', 'DAG JSON: parent map such as {"1": [], "2": [1]}')
    .option('--threshold <n>', 'short-execution threshold (b - a < n becomes plan-only)', '3')
    .option('--min-ratio <x>', 'keep when ratio >= x', '1.5')
    .option('--max-stages <n>', 'keep when stages <= n', '11')
    .option('--render', 'also print the trajectory in the SPRINT tag format')
    .option('--json', 'print the packing result as JSON')
    .action((_opts: unknown, cmd: Command) => {
      // Options shared with the parent (--json) are parsed by `curate`: read them merged.
      const opts = cmd.optsWithGlobals<{
        components: string;
        dag: string;
        threshold: string;
        minRatio: string;
        maxStages: string;
        render?: boolean;
        json?: boolean;
      }>();
      const components = normalizeComponents(readJsonFile(opts.components, 'components'), opts.components);
      const dag = readJsonFile<Dag>(opts.dag, 'DAG');
      let result;
      try {
        result = pack(components, dag, {
          shortExecutionThreshold: Number(opts.threshold),
          minRatio: Number(opts.minRatio),
          maxStages: Number(opts.maxStages),
        });
      } catch (err) {
        if (err instanceof PackingError) throw new CliError(`invalid DAG: ${err.message}`, ExitCode.failed);
        throw err;
      }
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      for (const s of result.stages) {
        const execs = s.executions.map((e) => `${e.label}=#${e.componentId}`).join(' ');
        console.log(
          `stage ${s.index}: components ${s.componentIds.join(', ')}${execs ? ` | executions ${execs}` : ' | plan only'}`,
        );
      }
      console.log(
        `ratio ${result.ratio.toFixed(3)} (${result.executingComponents} executing / ${result.stages.length} stages): ${result.kept ? 'kept' : `rejected (${result.reason})`}`,
      );
      if (opts.render)
        console.log(`\n${renderStagesTrajectory(result.stages, '(final answer from the solution)')}`);
    });

  curate
    .command('generate')
    .description('Write generated Countdown reasoning traces (JSONL: id, question, trace, solution, answer)')
    .requiredOption('--count <n>', 'number of traces')
    .option('-o, --out <file>', 'JSONL file to write (required)')
    .option('--seed <n>', 'random seed (same seed, same traces)', '1')
    .action((_opts: unknown, cmd: Command) => {
      // --out is shared with the parent `curate`, which parses it: read the options merged.
      const opts = cmd.optsWithGlobals<{ count: string; out?: string; seed: string }>();
      if (!opts.out) throw new CliError('--out FILE is required', ExitCode.usage);
      const count = positiveInt(opts.count, '--count')!;
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed))
        throw new CliError(`--seed must be an integer (got "${opts.seed}")`, ExitCode.usage);
      const traces = generateCountdownTraces(count, seed);
      fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      fs.writeFileSync(
        opts.out,
        traces
          .map(({ id, question, trace, solution, answer }) =>
            JSON.stringify({ id, question, trace, solution, answer }),
          )
          .join('\n') + '\n',
      );
      console.log(`wrote ${count} traces to ${path.resolve(opts.out)}`);
    });
}
