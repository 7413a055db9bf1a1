import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { TrainingConfig } from '../../config/schema/training';
import { launcherKinds, TRAINING_PROGRESS_SIGNAL } from '../../core/training';
import { isOneOf, unknownName, UnknownNameError } from '../../core/closed-set';
import { jobName, resolveRun, trainerArgs } from '../../io/training/args';
import { DockerLauncher, ImageMissingError } from '../../io/training/docker';
import { applyEvent, describeProgress, parseTrainerLine, type TrainerEvent } from '../../io/training/events';
import { KubernetesLauncher } from '../../io/training/kubernetes';
import { LocalLauncher } from '../../io/training/local';
import type {
  JobHandle,
  LaunchSpec,
  Launcher,
  LauncherKind,
  TrainingHeartbeat,
  TrainingJobInput,
  TrainingJobResult,
  TrainingProgress,
} from '../../io/training/types';
import { ErrorType, type ErrorTypeName } from '../../core/errors';
import { liesUnder, runIdProblem } from '../../core/training-input';
import { recordTrainingProgress } from '../../io/telemetry/metrics';

export * from '../../io/training/types';
export { describeProgress } from '../../io/training/events';

export interface TrainingActivityDeps {
  training: TrainingConfig;
  /** Launchers by kind (tests inject doubles); the real ones are built from config on first use. */
  launchers?: Partial<Record<LauncherKind, Launcher>>;
  /** Environment of the worker (for the Hub token name given by hubTokenEnv). */
  env?: NodeJS.ProcessEnv;
  /** Name of the environment variable with the Hub token (config hub.tokenEnv), passed to the trainer. */
  hubTokenEnv?: string;
  /** The artifacts root (config artifacts.root): the docker launcher mounts only datasets below it. */
  artifactsRoot: string;
}

type DoneEvent = Extract<TrainerEvent, { event: 'done' }>;
type StartEvent = Extract<TrainerEvent, { event: 'start' }>;

export function createTrainingActivities(deps: TrainingActivityDeps) {
  const cfg = deps.training;
  const env = deps.env ?? process.env;
  const made: Partial<Record<LauncherKind, Launcher>> = { ...deps.launchers };

  function newLauncher(kind: LauncherKind): Launcher {
    const token = deps.hubTokenEnv ? env[deps.hubTokenEnv] : undefined;
    switch (kind) {
      case 'local':
        return new LocalLauncher({ python: cfg.python, env, extraEnv: token ? { HF_TOKEN: token } : {} });
      case 'docker':
        return new DockerLauncher(cfg.docker, token ? { hubToken: token } : {});
      case 'kubernetes':
        return new KubernetesLauncher(cfg.kubernetes);
      default:
        return unknownName('launcher', kind, launcherKinds);
    }
  }

  function launcherFor(kind: LauncherKind): Launcher {
    return (made[kind] ??= newLauncher(kind));
  }

  /**
   * The dataset folder as the launcher will use it: it must exist, and a folder the docker
   * launcher bind-mounts must lie under the artifacts root once symlinks are resolved (workflow
   * input names it, and a mount of any host folder would hand that folder to the container).
   */
  function localDataset(kind: LauncherKind, given: string): string {
    const dir = path.resolve(given);
    if (!fs.existsSync(dir))
      throw ApplicationFailure.nonRetryable(
        `dataset folder ${dir} does not exist`,
        ErrorType.BadTrainingInput,
      );
    if (kind !== 'docker') return dir;
    const real = fs.realpathSync(dir);
    const root = fs.existsSync(deps.artifactsRoot) ? fs.realpathSync(deps.artifactsRoot) : deps.artifactsRoot;
    if (!liesUnder(root, real))
      throw ApplicationFailure.nonRetryable(
        `dataset folder ${dir}${real === dir ? '' : ` (${real})`} lies outside the artifacts root ${root}: the docker launcher mounts only datasets under it (curate with --out under ${root}, or move the folder there)`,
        ErrorType.BadTrainingInput,
      );
    return real;
  }

  function toLocalPath(launcher: Launcher, handle: JobHandle, p: string): string {
    if (launcher instanceof DockerLauncher) return launcher.toLocal(handle.runDir, p);
    if (launcher instanceof KubernetesLauncher) return launcher.toLocal(p);
    return path.resolve(p);
  }

  /**
   * Launches (or reattaches to) the trainer job of a run and watches it to the end: heartbeats
   * its progress (details carry the job handle, so a retry on another worker reattaches instead
   * of launching twice), signals the workflow with progress, relaunches a failed job from its
   * last checkpoint up to maxRestarts, and stops the job when the activity is cancelled.
   */
  async function runTrainingJob(input: TrainingJobInput): Promise<TrainingJobResult> {
    const ctx = Context.current();
    const run = resolveRun(cfg, input);
    const kind = input.launcher ?? cfg.launcher;
    // a workflow started by another client is not checked by the types; no retry fixes its launcher
    if (!isOneOf(kind, launcherKinds))
      throw ApplicationFailure.nonRetryable(
        new UnknownNameError('launcher of the training input', kind, launcherKinds).message,
        ErrorType.BadTrainingInput,
      );
    const runIdError = runIdProblem(input.runId);
    if (runIdError) throw ApplicationFailure.nonRetryable(runIdError, ErrorType.BadTrainingInput);
    const launcher = launcherFor(kind);
    const runDir = path.resolve(cfg.runsDir, input.runId);
    const datasetDir = kind === 'kubernetes' ? input.datasetDir : localDataset(kind, input.datasetDir);
    const args = trainerArgs(input, run);
    const specFor = (launch: number): LaunchSpec => ({
      runId: input.runId,
      name: jobName(input.runId, launch),
      launch,
      datasetDir,
      runDir,
      trainerArgs: args,
    });

    const prev = ctx.info.heartbeatDetails as TrainingHeartbeat | undefined;
    let launch = prev?.launch ?? 0;
    let progress: TrainingProgress = prev?.progress ?? {
      state: 'launching',
      step: 0,
      total: 0,
      launch,
      restarts: 0,
    };
    // A launch that cannot work until someone acts (the image is not built) fails the run at once
    // instead of spending the retry policy's twenty attempts.
    const launchJob = async (n: number): Promise<JobHandle> => {
      try {
        return await launcher.launch(specFor(n));
      } catch (err) {
        if (err instanceof ImageMissingError)
          throw ApplicationFailure.nonRetryable(err.message, ErrorType.TrainingJobFailed);
        throw err;
      }
    };
    let handle: JobHandle;
    if (prev?.handle) {
      handle = prev.handle;
      ctx.log.info(`reattaching to training job ${handle.name} (attempt ${ctx.info.attempt})`);
    } else {
      handle = await launchJob(launch);
      ctx.log.info(`launched training job ${handle.name} (${kind})`);
    }
    progress = { ...progress, jobName: handle.name, launch };

    let lastSignal = 0;
    const beat = (force = false) => {
      const details: TrainingHeartbeat = { handle, launch, progress };
      ctx.heartbeat(details);
      recordTrainingProgress({ launcher: kind, profile: input.profile ?? 'auto' }, progress);
      const now = Date.now();
      if (!force && now - lastSignal < cfg.progressIntervalMs) return;
      lastSignal = now;
      try {
        const wf = ctx.info.workflowExecution;
        if (!wf) return;
        void ctx.client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .signal(TRAINING_PROGRESS_SIGNAL, progress)
          .catch(() => undefined);
      } catch {
        // no client in this context (a unit test): heartbeats still carry the progress
      }
    };

    let reader = launcher.reader(handle);
    const seen: { done?: DoneEvent; start?: StartEvent } = {};
    let lastError: string | undefined;
    // The trainer's verdict on its last error: false when a relaunch would fail the same way.
    let lastErrorRetryable = true;
    const drain = async () => {
      for (const line of await reader.read()) {
        const e = parseTrainerLine(line);
        if (!e) continue;
        const before = progress.state;
        progress = applyEvent(progress, e);
        if (e.event === 'done') seen.done = e;
        if (e.event === 'start') seen.start = e;
        if (e.event === 'error') {
          lastError = e.message;
          lastErrorRetryable = e.retryable !== false;
        }
        if (e.event === 'eval' || e.event === 'checkpoint' || progress.state !== before) lastSignal = 0;
      }
    };

    beat(true);
    try {
      for (;;) {
        await drain();
        const st = await launcher.status(handle);
        if (st.phase === 'running' || st.phase === 'pending') {
          beat();
          await ctx.sleep(cfg.pollIntervalMs);
          continue;
        }
        await drain();
        if (st.phase === 'succeeded' && seen.done) break;
        const why =
          st.phase === 'succeeded'
            ? 'the trainer exited without its done event'
            : (lastError ?? st.message ?? `job ${st.phase}`);
        const tail = await launcher.logTail(handle, 40);
        // The run's end: its progress says failed, the returned failure is thrown by the caller.
        const runFailure = (type: ErrorTypeName, message: string) => {
          progress = { ...progress, state: 'failed', message: why };
          beat(true);
          return ApplicationFailure.create({
            nonRetryable: true,
            type,
            message,
            details: [{ job: handle.name, tail }],
          });
        };
        if (st.relaunchable === false)
          throw runFailure(
            ErrorType.TrainingJobFailed,
            `training job ${handle.name} failed: ${why} (not relaunched: ended from outside the run; \`sprint train\` with the same --run-id resumes from ${progress.lastCheckpoint ?? 'the start'}); last log lines:\n${tail}`,
          );
        if (!lastErrorRetryable && st.phase !== 'succeeded')
          throw runFailure(
            ErrorType.BadTrainingInput,
            `training job ${handle.name} cannot run on its input: ${why} (not relaunched: it would fail the same way)`,
          );
        if (launch >= run.maxRestarts)
          throw runFailure(
            ErrorType.TrainingJobFailed,
            `training job ${handle.name} failed: ${why} (${launch + 1} launch(es), restart limit ${run.maxRestarts}); last log lines:\n${tail}`,
          );
        ctx.log.warn(
          `training job ${handle.name} failed (${why}); relaunching from ${progress.lastCheckpoint ?? 'the start'}\n${tail}`,
        );
        launch += 1;
        lastError = undefined;
        lastErrorRetryable = true;
        handle = await launchJob(launch);
        reader = launcher.reader(handle);
        progress = {
          ...progress,
          state: 'restarting',
          launch,
          restarts: launch,
          jobName: handle.name,
          message: `launch ${launch - 1} failed: ${why}; resuming from ${progress.lastCheckpoint ?? 'the start'}`,
        };
        beat(true);
      }
    } catch (err) {
      const why = ctx.cancellationDetails;
      if (ctx.cancellationSignal.aborted && (why?.cancelRequested || why?.notFound)) {
        // Cancelled by the workflow (or the workflow is gone): the job must not run on.
        try {
          await launcher.stop(handle);
        } catch (e) {
          ctx.log.error(`could not stop ${handle.name}: ${(e as Error).message}`);
        }
        progress = { ...progress, state: 'cancelled' };
      }
      throw err;
    }

    const finished = seen.done;
    if (!finished) throw new Error('unreachable: the watch loop ends only with a done event');
    progress = { ...progress, state: 'succeeded' };
    beat(true);
    const summaryFile = path.join(toLocalPath(launcher, handle, finished.model_dir), 'training_summary.json');
    let summary: {
      hyperparameters?: Record<string, unknown>;
      dataset?: { train?: Record<string, unknown>; eval?: Record<string, unknown> };
    } = {};
    try {
      summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as typeof summary;
    } catch {
      // kubernetes without a pathMap for the checkpoint volume: the summary is not visible here
    }
    ctx.log.info(`training job ${handle.name} done: ${describeProgress(progress)}`);
    return {
      runId: input.runId,
      launcher: kind,
      jobName: handle.name,
      modelDir: toLocalPath(launcher, handle, finished.model_dir),
      runDir: kind === 'kubernetes' ? toLocalPath(launcher, handle, handle.runDir) : runDir,
      baseModel: run.baseModel,
      steps: finished.step,
      trainLoss: finished.train_loss,
      bestEvalLoss: finished.best_eval_loss ?? undefined,
      bestCheckpoint: finished.best_checkpoint
        ? toLocalPath(launcher, handle, finished.best_checkpoint)
        : undefined,
      runtimeS: finished.runtime_s,
      tokensPerS: finished.tokens_per_s,
      peakGpuMemGb: finished.peak_gpu_mem_gb ?? undefined,
      restarts: launch,
      hyperparameters: summary.hyperparameters ?? { ...run.hyperparameters, profile: run.profile },
      dataset: {
        train: summary.dataset?.train ?? seen.start?.train,
        eval: summary.dataset?.eval ?? seen.start?.eval ?? null,
      },
    };
  }

  return { runTrainingJob };
}

export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
