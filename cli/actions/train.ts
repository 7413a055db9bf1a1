import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import type { SprintConfig } from '../../config';
import { tinyMaxLength } from '../../config/tiny-training';
import type { Hyperparameters, TrainingProfile } from '../../config/schema/training';
import { describeProgress } from '../../io/training/events';
import type { LauncherKind, TrainingProgress } from '../../io/training/types';
import {
  trainingWorkflow,
  type TrainingWorkflowInput,
  type TrainingWorkflowResult,
} from '../../workflows/training';
import { clientFor, readConfig, uiLink, type GlobalOptions } from '../context';
import { tracedCommand } from '../command-trace';
import { CliError, ExitCode } from '../exit-codes';
import { followWorkflow, queryPoll } from '../in-process';
import { controlQueue, trainingQueue } from '../../config/queues';
import { failureMessage } from '../../core/failure-message';
import { runIdProblem } from '../../core/training-input';

interface TrainOptions {
  dataset: string;
  /** Checked by commander (the option's choices), as is `profile`. */
  launcher?: LauncherKind;
  tiny?: boolean;
  modelConfig?: string;
  model?: string;
  profile?: TrainingProfile;
  epochs?: string;
  maxSteps?: string;
  lr?: string;
  maxLength?: string;
  saveSteps?: string;
  runId?: string;
  trainerArg?: string[];
  detach?: boolean;
  json?: boolean;
}

function num(value: string | undefined, flag: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CliError(
      `${flag}: expected a positive ${integer ? 'integer' : 'number'}, got "${value}"`,
      ExitCode.usage,
    );
  }
  return n;
}

/** Workflow input from the command line and the config (secret-free). */
export function trainInputFromOptions(config: SprintConfig, opts: TrainOptions): TrainingWorkflowInput {
  const datasetDir = path.resolve(opts.dataset);
  if (!fs.existsSync(datasetDir))
    throw new CliError(`--dataset: ${datasetDir} does not exist`, ExitCode.usage);
  const runIdError = opts.runId === undefined ? undefined : runIdProblem(opts.runId);
  if (runIdError) throw new CliError(`--run-id: ${runIdError}`, ExitCode.usage);
  const launcher = opts.launcher ?? config.training.launcher;
  let modelConfig: Record<string, unknown> | undefined;
  if (opts.modelConfig) {
    try {
      const text = opts.modelConfig.trim().startsWith('{')
        ? opts.modelConfig
        : fs.readFileSync(opts.modelConfig, 'utf8');
      modelConfig = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(
        `--model-config: not a JSON object or a readable JSON file (${(err as Error).message})`,
        ExitCode.usage,
      );
    }
  }
  const hp: Partial<Hyperparameters> = {};
  const set = <K extends keyof Hyperparameters>(k: K, v: Hyperparameters[K] | undefined) => {
    if (v !== undefined) hp[k] = v;
  };
  set('epochs', num(opts.epochs, '--epochs'));
  set('maxSteps', num(opts.maxSteps, '--max-steps', true));
  set('learningRate', num(opts.lr, '--lr'));
  set('maxLength', num(opts.maxLength, '--max-length', true));
  set('saveSteps', num(opts.saveSteps, '--save-steps', true));
  const tiny = Boolean(opts.tiny);
  if (tiny) {
    // A tiny random model learns nothing at the paper's 1e-5 within minutes on a CPU.
    hp.learningRate ??= 3e-3;
    hp.saveSteps ??= 20;
    hp.maxLength ??= tinyMaxLength(config);
  }
  return {
    taskQueue: trainingQueue(config),
    datasetDir,
    launcher,
    tiny,
    ...(modelConfig ? { modelConfig } : {}),
    ...(opts.model ? { baseModel: opts.model } : {}),
    ...(opts.profile ? { profile: opts.profile } : tiny ? { profile: 'cpu' as const } : {}),
    hyperparameters: hp,
    heartbeatTimeoutMs: config.training.heartbeatTimeoutMs,
    ...(opts.runId ? { runId: opts.runId } : {}),
    ...(opts.trainerArg?.length ? { extraArgs: opts.trainerArg } : {}),
  };
}

/** Prints progress while a training workflow runs (one updating line on a terminal). */
export async function followTraining(
  handle: WorkflowHandle<typeof trainingWorkflow>,
  out: NodeJS.WriteStream = process.stderr,
): Promise<TrainingWorkflowResult> {
  let last = '';
  const showProgress = queryPoll(handle, 'progress', (p: TrainingProgress) => {
    const line = describeProgress(p);
    if (line === last) return;
    last = line;
    if (out.isTTY) out.write(`\r\x1b[K  ${line}`);
    else out.write(`  ${line}\n`);
  });
  try {
    return await followWorkflow<TrainingWorkflowResult>(handle, 1000, showProgress);
  } finally {
    if (out.isTTY && last) out.write('\n');
  }
}

export function formatTrainingResult(r: TrainingWorkflowResult): string {
  const lines = [
    `model:        ${r.modelDir}`,
    `base:         ${r.baseModel} (${r.launcher} launcher, job ${r.jobName})`,
    `steps:        ${r.steps}${r.restarts ? ` (${r.restarts} relaunch(es) from checkpoints)` : ''}`,
  ];
  if (r.trainLoss !== undefined) lines.push(`train loss:   ${r.trainLoss.toFixed(4)}`);
  if (r.bestEvalLoss !== undefined)
    lines.push(
      `best eval:    ${r.bestEvalLoss.toFixed(4)}${r.bestCheckpoint ? ` (${path.basename(r.bestCheckpoint)})` : ''}`,
    );
  if (r.runtimeS !== undefined)
    lines.push(
      `time:         ${r.runtimeS.toFixed(1)} s${r.tokensPerS ? `, ${Math.round(r.tokensPerS)} tokens/s` : ''}`,
    );
  return lines.join('\n');
}

export async function startTraining(client: Client, config: SprintConfig, input: TrainingWorkflowInput) {
  const runId =
    input.runId ??
    `train-${new Date()
      .toISOString()
      .replace(/[-:T.Z]/g, '')
      .slice(0, 14)}`;
  return client.workflow.start(trainingWorkflow, {
    taskQueue: controlQueue(config),
    workflowId: runId,
    args: [{ ...input, runId }],
  });
}

/** `sprint train`: starts a training workflow and follows it (or returns with --detach). */
export async function runTrain(opts: TrainOptions, cmd: Command): Promise<void> {
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const input = trainInputFromOptions(config, opts);
  await tracedCommand(config, 'train', { 'sprint.launcher': input.launcher }, async () => {
    const client = await clientFor(config);
    const handle = await startTraining(client, config, input);
    console.error(
      `training ${handle.workflowId} started (${input.launcher}); UI: ${uiLink(config, handle.workflowId)}`,
    );
    if (opts.detach) {
      console.log(handle.workflowId);
      return;
    }
    try {
      const result = await followTraining(handle);
      console.log(opts.json ? JSON.stringify(result, null, 2) : formatTrainingResult(result));
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        throw new CliError(`training failed: ${failureMessage(err)}`, ExitCode.failed);
      }
      throw err;
    }
  });
}
