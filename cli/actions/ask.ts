import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { runPriorityParts, sessionRunInput, type SprintConfig } from '../../config';
import { sessionProfiles, type SessionProfile } from '../../config/schema/session';
import { ModelClient } from '../../io/model-client';
import { encryptionEnabled } from '../../io/codec';
import { questionRunSummary } from '../../core/run-summary';
import { sequentialWorkflow, sessionWorkflow } from '../../workflows';
import { progressQuery } from '../../workflows/session';
import { clientFor, readConfig, readConfigWithPools, uiLink, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { followWorkflow, startInProcessWorkers } from '../in-process';
import { formatRound } from '../session-view';
import { tracedCommand } from '../command-trace';
import { controlQueue } from '../../config/queues';
import { failureMessage } from '../../core/failure-message';
import type { ExecutorStrategy } from '../../core/format/executor-strategies';
import type { SessionMethodName } from '../../core/method-result';
import type { PriorityClassName } from '../../core/priority/classes';

interface AskOptions {
  planner?: string;
  executors?: string[];
  model?: string;
  /** Checked by commander (the option's choices). */
  mode: SessionMethodName;
  json?: boolean;
  id?: string;
  profile?: string;
  strategy?: ExecutorStrategy;
  streaming?: boolean;
  /** Checked by commander (the option's choices). */
  priority?: PriorityClassName;
}

async function modelOf(url: string, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  try {
    const models = await new ModelClient({
      baseUrl: url,
      model: '',
      engine: 'generic',
      timeoutMs: 5000,
    }).listModels();
    if (models[0]) return models[0];
  } catch (err) {
    throw new CliError(
      `cannot list the models served at ${url}: ${(err as Error).message} (pass --model)`,
      ExitCode.unavailable,
    );
  }
  throw new CliError(`the engine at ${url} serves no model (pass --model)`, ExitCode.usage);
}

/**
 * `--planner URL` / `--executors URL...` make ad-hoc pools (executor URLs become replicas). Their
 * queues are unique to this invocation and served by llm workers this command runs itself.
 */
async function adHocPools(
  opts: AskOptions,
): Promise<{ pools?: Record<string, unknown>; planner?: string; executor?: string }> {
  if (!opts.planner && !opts.executors?.length) return {};
  const tag = randomBytes(3).toString('hex');
  const pools: Record<string, unknown> = {};
  let planner: string | undefined;
  let executor: string | undefined;
  if (opts.planner) {
    planner = `ask-${tag}-planner`;
    pools[planner] = {
      model: await modelOf(opts.planner, opts.model),
      replicas: [{ name: 'r0', baseUrl: opts.planner }],
    };
  }
  if (opts.executors?.length) {
    executor = `ask-${tag}-executors`;
    pools[executor] = {
      model: await modelOf(opts.executors[0]!, opts.model),
      replicas: opts.executors.map((baseUrl, i) => ({ name: `e${i}`, baseUrl })),
    };
  }
  return { pools, planner: planner ?? executor, executor: executor ?? planner };
}

/** `sprint ask`: one session; ad-hoc pools are served by llm workers of this process. */
export async function runAsk(question: string, opts: AskOptions, cmd: Command): Promise<void> {
  if (opts.profile && !(sessionProfiles as readonly string[]).includes(opts.profile)) {
    throw new CliError(
      `--profile must be ${sessionProfiles.join(' or ')}, got "${opts.profile}"`,
      ExitCode.usage,
    );
  }
  const adhoc = await adHocPools(opts);
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const config: SprintConfig = adhoc.pools ? readConfigWithPools(global, adhoc.pools) : readConfig(global);
  await tracedCommand(config, 'ask', { 'sprint.method': opts.mode }, () =>
    askSession(question, opts, config, adhoc),
  );
}

/** The session of `sprint ask`, with its client (traced when the command is). */
async function askSession(
  question: string,
  opts: AskOptions,
  config: SprintConfig,
  adhoc: Awaited<ReturnType<typeof adHocPools>>,
): Promise<void> {
  const client = await clientFor(config);
  const settings = {
    ...(opts.profile ? { profile: opts.profile as SessionProfile } : {}),
    ...(opts.strategy ? { executorStrategy: opts.strategy } : {}),
    ...(opts.streaming ? { streamingDispatch: true } : {}),
  };
  const input = sessionRunInput(config, question, {
    ...(adhoc.planner ? { plannerPool: adhoc.planner } : {}),
    ...(adhoc.executor ? { executorPool: adhoc.executor } : {}),
    settings,
  });

  // Ad-hoc pools have no standing workers: serve them from this process for the session.
  const workers = adhoc.pools
    ? await startInProcessWorkers(
        config,
        [...new Set([adhoc.planner!, adhoc.executor!])].map((pool) => ({ role: 'llm' as const, pool })),
        { logLevel: 'ERROR' },
      )
    : undefined;

  const workflowId = opts.id ?? `ask-${Date.now()}-${randomBytes(2).toString('hex')}`;
  const started = Date.now();
  const priority = runPriorityParts(config, { command: 'ask', runId: workflowId, class: opts.priority });
  try {
    const handle =
      opts.mode === 'sprint'
        ? await client.workflow.start(sessionWorkflow, {
            taskQueue: controlQueue(config),
            workflowId,
            args: [{ ...input, ...priority.input }],
            ...priority.start,
            staticSummary: questionRunSummary('SPRINT session', question, encryptionEnabled(config)),
          })
        : await client.workflow.start(sequentialWorkflow, {
            taskQueue: controlQueue(config),
            workflowId,
            args: [{ ...input, ...priority.input }],
            ...priority.start,
            staticSummary: questionRunSummary('sequential', question, encryptionEnabled(config)),
          });
    if (!opts.json) console.log(`session ${workflowId}: ${uiLink(config, workflowId)}`);
    // Rounds as they finish: each poll asks only for the rounds not shown yet.
    let shown = 0;
    const showRounds = async () => {
      const p = await handle.query(progressQuery, shown);
      for (const r of p.rounds) if (!opts.json) console.log(formatRound(r));
      shown = p.roundsFrom + p.rounds.length;
    };
    let result;
    try {
      result = await followWorkflow<Awaited<ReturnType<typeof sessionWorkflow>>>(
        handle,
        500,
        opts.mode === 'sprint' ? showRounds : async () => undefined,
      );
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure) {
        throw new CliError(`session ${workflowId} was cancelled`, ExitCode.cancelled);
      }
      throw new CliError(`session ${workflowId} failed: ${failureMessage(err)}`, ExitCode.failed);
    }
    if (opts.json) {
      console.log(JSON.stringify({ ...result, workflowId }, null, 2));
      return;
    }
    console.log(`\nanswer: ${result.finalAnswer ?? '(none)'}`);
    console.log(
      `rounds ${result.rounds} [${result.promptsPerRound.join(', ')}], sequential tokens ${result.tokens.sequential}` +
        `${result.tokens.sequentialStreaming !== undefined ? ` (streaming ${result.tokens.sequentialStreaming})` : ''}, ` +
        `total ${result.tokens.total}, prompt ${result.tokens.prompt} (cached ${result.tokens.cachedPrompt})`,
    );
    console.log(`wall ${((Date.now() - started) / 1000).toFixed(1)}s; ${uiLink(config, workflowId)}`);
    for (const p of result.problems ?? []) console.log(`! ${p}`);
  } finally {
    await workers?.stop();
    await client.connection.close();
  }
}
