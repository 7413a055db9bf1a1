import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ApplicationFailure,
  defineQuery,
  executeChild,
  type ChildWorkflowOptions,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipeline';
import type { ModelCardInfo, PublishResult } from '../activities/publish';
import { curationWorkflow, type CurationInput, type CurationResult } from './curation';
import { evaluationWorkflow, type EvaluationInput, type EvaluationResult } from './evaluation';
import { publishWorkflow, type PublishWorkflowInput } from './publish';
import { trainingWorkflow, type TrainingWorkflowInput, type TrainingWorkflowResult } from './training';
import { pipelineStages, stageWorkflowId, type PipelineStage } from './pipeline-stages';
import { SprintKind, SprintPipeline, SprintStatus } from './search-attributes';
import { ErrorType } from '../core/errors';

export { pipelineStages, type PipelineStage } from './pipeline-stages';

export interface PipelineInput {
  /** Stable id: the stages run as child workflows `<pipelineId>-<stage>`; a re-run reuses finished ones. */
  pipelineId: string;
  curate?: CurationInput;
  /** Dataset to train on when curation is skipped. */
  datasetDir?: string;
  train?: Omit<TrainingWorkflowInput, 'datasetDir' | 'runId'>;
  /** Model to publish/evaluate when training is skipped. */
  modelDir?: string;
  publish?: Omit<PublishWorkflowInput, 'modelDir' | 'card'> & { card?: Partial<ModelCardInfo> };
  evaluate?: Omit<EvaluationInput, 'evalId'> & { evalId?: string };
  skip?: PipelineStage[];
}

export type StageState = 'pending' | 'running' | 'reused' | 'completed' | 'skipped' | 'failed';

export interface PipelineProgress {
  stages: Record<PipelineStage, { state: StageState; workflowId: string }>;
}

export interface PipelineResult {
  pipelineId: string;
  datasetDir?: string;
  modelDir?: string;
  curation?: CurationResult;
  training?: TrainingWorkflowResult;
  publish?: PublishResult;
  /** The model card re-published with the evaluation results (only the card changes). */
  cardUpdate?: PublishResult;
  evaluation?: EvaluationResult;
  reused: PipelineStage[];
}

/** Child options every stage shares (the workflow and its args are the stage's own). */
type StageOptions = Pick<
  ChildWorkflowOptions,
  'workflowId' | 'typedSearchAttributes' | 'workflowIdReusePolicy' | 'staticSummary'
>;

export const pipelineProgressQuery = defineQuery<PipelineProgress>('progress');

/**
 * Data to model to measurements: curate -> train -> publish -> evaluate, each a child workflow
 * with its own history, search attributes and resumability, tied together by SprintPipeline.
 * Each stage can be skipped (with its output given instead); re-running a pipeline id reuses the
 * stages that completed and resumes the others (curation skips finished traces, training resumes
 * from its last checkpoint, evaluation skips finished problems).
 */
export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  const id = input.pipelineId;
  const skip = new Set(input.skip ?? []);
  const wid = (stage: PipelineStage) => stageWorkflowId(id, stage);
  const progress: PipelineProgress = {
    stages: Object.fromEntries(
      pipelineStages.map((s) => [s, { state: skip.has(s) ? 'skipped' : 'pending', workflowId: wid(s) }]),
    ) as PipelineProgress['stages'],
  };
  setHandler(pipelineProgressQuery, () => progress);
  const attrs = (status: string): SearchAttributeUpdatePair[] => [
    { key: SprintKind, value: 'pipeline' },
    { key: SprintPipeline, value: id },
    { key: SprintStatus, value: status },
  ];
  upsertSearchAttributes(attrs('running'));
  const { findCompletedWorkflow } = proxyActivities<PipelineActivities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5 },
  });
  const result: PipelineResult = { pipelineId: id, reused: [] };

  /**
   * Runs a stage as a child workflow with id `workflowId`, or returns the result of the run that
   * already completed under that id. `start` starts the stage's workflow (by its function, so its
   * input and result are typed) with the options every stage shares.
   */
  async function stage<T>(
    name: PipelineStage,
    start: (options: StageOptions) => Promise<T>,
    workflowId = wid(name),
  ): Promise<T> {
    const done = await findCompletedWorkflow(workflowId);
    if (done) {
      progress.stages[name] = { state: 'reused', workflowId };
      result.reused.push(name);
      return done.result as T;
    }
    progress.stages[name] = { state: 'running', workflowId };
    upsertSearchAttributes([{ key: SprintStatus, value: `running ${name}` }]);
    try {
      const out = await start({
        workflowId,
        typedSearchAttributes: [{ key: SprintPipeline, value: id }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        staticSummary: `${name} (pipeline ${id})`,
      });
      progress.stages[name] = { state: 'completed', workflowId };
      return out;
    } catch (err) {
      progress.stages[name] = { state: 'failed', workflowId };
      upsertSearchAttributes([{ key: SprintStatus, value: `failed ${name}` }]);
      throw err;
    }
  }
  const fail = (what: string): never => {
    throw ApplicationFailure.nonRetryable(`pipeline ${id}: ${what}`, ErrorType.BadPipelineInput);
  };
  const need = (value: string | undefined, what: string): string => value ?? fail(what);

  // curate
  let datasetDir = input.datasetDir;
  if (!skip.has('curate')) {
    const curate = input.curate ?? fail('no curate settings (give curate, or skip it with datasetDir)');
    const curationInput: CurationInput = { ...curate, dataset: curate.dataset ?? id };
    result.curation = await stage('curate', (o) =>
      executeChild(curationWorkflow, { ...o, args: [curationInput] }),
    );
    datasetDir = result.curation.datasetDir;
  }
  result.datasetDir = datasetDir;

  // train
  let modelDir = input.modelDir;
  if (!skip.has('train')) {
    const train = input.train ?? fail('no train settings (give train, or skip it with modelDir)');
    const trainInput: TrainingWorkflowInput = {
      ...train,
      datasetDir: need(datasetDir, 'no dataset to train on (curation skipped and no datasetDir)'),
      runId: wid('train'),
      datasetLabel: id,
    };
    result.training = await stage('train', (o) =>
      executeChild(trainingWorkflow, { ...o, args: [trainInput] }),
    );
    modelDir = result.training.modelDir;
  }
  result.modelDir = modelDir;

  // publish
  const card = (evalResults?: Record<string, unknown>[]): ModelCardInfo => {
    const t = result.training;
    const c = result.curation;
    return {
      baseModel: t?.baseModel ?? input.publish?.card?.baseModel ?? 'unknown',
      dataset: c
        ? `${id} (SPRINT curation, ${c.counts.kept} kept of ${c.counts.traces} traces)`
        : (datasetDir ?? id),
      datasetStats: {
        ...(c
          ? {
              traces: c.counts.traces,
              kept: c.counts.kept,
              train_samples: c.counts.train,
              test_samples: c.counts.test,
            }
          : {}),
        ...(t?.dataset.train ? { train_tokens_completion: t.dataset.train.completion_tokens } : {}),
      },
      ...(t
        ? {
            hyperparameters: t.hyperparameters,
            training: {
              steps: t.steps,
              trainLoss: t.trainLoss,
              bestEvalLoss: t.bestEvalLoss,
              launcher: t.launcher,
              runtimeS: t.runtimeS,
            },
          }
        : {}),
      ...input.publish?.card,
      ...(evalResults ? { evalResults } : {}),
    };
  };
  if (!skip.has('publish')) {
    const publish = input.publish ?? fail('no publish settings (give publish, or skip it)');
    const publishInput: PublishWorkflowInput = {
      ...publish,
      modelDir: need(modelDir, 'no model to publish (training skipped and no modelDir)'),
      card: card(),
    };
    result.publish = await stage('publish', (o) =>
      executeChild(publishWorkflow, { ...o, args: [publishInput] }),
    );
  }

  // evaluate
  if (!skip.has('evaluate')) {
    const evaluate = input.evaluate ?? fail('no evaluate settings (give evaluate, or skip it)');
    const evaluationInput: EvaluationInput = { ...evaluate, evalId: evaluate.evalId ?? id };
    result.evaluation = await stage('evaluate', (o) =>
      executeChild(evaluationWorkflow, { ...o, args: [evaluationInput] }),
    );
    if (result.publish && input.publish) {
      const s = result.evaluation.summary;
      const row = {
        benchmark: s.benchmark,
        method: s.method,
        problems: s.problems,
        accuracy: s.accuracy,
        mean_sequential_tokens: s.tokens.meanSequential,
        mean_total_tokens: s.tokens.meanTotal,
      };
      const cardInput: PublishWorkflowInput = {
        ...input.publish,
        modelDir: need(modelDir, 'no model'),
        card: card([row]),
      };
      result.cardUpdate = await stage(
        'publish',
        (o) => executeChild(publishWorkflow, { ...o, args: [cardInput] }),
        `${wid('publish')}-card`,
      );
      progress.stages.publish = { state: 'completed', workflowId: wid('publish') };
    }
  }
  upsertSearchAttributes(attrs('completed'));
  return result;
}
