import type { Hyperparameters, TrainingProfile } from '../../config/schema/training';

import type { LauncherKind } from '../../core/training';

export type { LauncherKind };

/** What a training run needs; small and secret-free (it travels through workflow history). */
export interface TrainingJobInput {
  /** Stable id of the run: the run folder and the job names derive from it. */
  runId: string;
  /** Curated dataset folder (sprint/train.jsonl or train.jsonl, optional test.jsonl), as the launcher host sees it. */
  datasetDir: string;
  launcher?: LauncherKind;
  /** Hub id or folder of the base model (default: config training.baseModel). */
  baseModel?: string;
  /** Build a tiny random Qwen2 and a local tokenizer instead of loading a base model (no download). */
  tiny?: boolean;
  /** Qwen2Config fields for a model built from a config (random init). */
  modelConfig?: Record<string, unknown>;
  profile?: TrainingProfile;
  /** Overrides over config training.hyperparameters. */
  hyperparameters?: Partial<Hyperparameters>;
  maxRestarts?: number;
  /** Extra trainer flags, appended as they are (e.g. ['--sleep-per-step', '0.2']). */
  extraArgs?: string[];
}

/** A launched job, enough to find it again after a worker restart (kept in heartbeat details). */
export interface JobHandle {
  launcher: LauncherKind;
  /** Deterministic name: `sprint-train-<runId>-<launch>` (container/Job name). */
  name: string;
  /** 0 for the first launch, +1 for each relaunch after a failure. */
  launch: number;
  /** Run folder as the worker sees it (local, docker) or its path in the pod (kubernetes). */
  runDir: string;
  pid?: number;
  containerId?: string;
  namespace?: string;
}

export type JobPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'missing';

export interface JobStatus {
  phase: JobPhase;
  exitCode?: number;
  message?: string;
  /** False when a relaunch would fight whoever ended the job (a kill from outside, the OOM killer). */
  relaunchable?: boolean;
}

/** The launcher side of a run: start, observe, stop. Every method is safe to call again. */
export interface Launcher {
  readonly kind: LauncherKind;
  /** Starts the job, or returns the one already started under the same name. */
  launch(spec: LaunchSpec): Promise<JobHandle>;
  status(handle: JobHandle): Promise<JobStatus>;
  /** Output lines of the job since the last call (the first call of a reader returns everything). */
  reader(handle: JobHandle): LineReader;
  /** The last lines of the job's log, for error messages. */
  logTail(handle: JobHandle, lines: number): Promise<string>;
  /** Stops the job and frees it (kill / delete). */
  stop(handle: JobHandle): Promise<void>;
}

export interface LineReader {
  read(): Promise<string[]>;
}

/** One launch of the trainer: its name and argument list in the job's own path space. */
export interface LaunchSpec {
  runId: string;
  name: string;
  launch: number;
  /** Local path of the dataset (the launcher maps it into its container). */
  datasetDir: string;
  /** Local run folder (local/docker) where checkpoints, logs and the final model go. */
  runDir: string;
  /** Trainer flags without --dataset/--output-dir (the launcher adds those in its path space). */
  trainerArgs: string[];
}

/** Progress of a run, as heartbeat details and workflow progress. */
export interface TrainingProgress {
  state: 'launching' | 'running' | 'restarting' | 'succeeded' | 'failed' | 'cancelled';
  step: number;
  total: number;
  loss?: number;
  evalLoss?: number;
  bestEvalLoss?: number;
  lr?: number;
  epoch?: number;
  tokensPerS?: number;
  etaS?: number;
  lastCheckpoint?: string;
  launch: number;
  restarts: number;
  jobName?: string;
  message?: string;
}

export interface TrainingJobResult {
  runId: string;
  launcher: LauncherKind;
  jobName: string;
  /** The final (best eval loss) model folder: absolute, as the worker sees it (kubernetes: via pathMap, else the pod path). */
  modelDir: string;
  runDir: string;
  baseModel: string;
  steps: number;
  trainLoss?: number;
  bestEvalLoss?: number;
  bestCheckpoint?: string;
  runtimeS?: number;
  tokensPerS?: number;
  peakGpuMemGb?: number;
  restarts: number;
  hyperparameters: Record<string, unknown>;
  dataset: { train?: Record<string, unknown>; eval?: Record<string, unknown> | null };
}

export interface TrainingHeartbeat {
  handle?: JobHandle;
  launch: number;
  progress: TrainingProgress;
}
