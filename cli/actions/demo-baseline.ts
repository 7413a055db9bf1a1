import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { controlQueue, servedPoolRoute, type SprintConfig } from '../../config';
import type { RunSummary } from '../../core/evaluation/summary';
import { evaluationWorkflow, type EvaluationInput, type EvaluationResult } from '../../workflows/evaluation';
import type { PipelineInput } from '../../workflows/pipeline';
import { SprintPipeline } from '../../workflows/search-attributes';

/**
 * The demo's "before": the pipeline's own evaluation (same benchmark, problems, method and
 * settings) run against another pool, the one serving the untrained initial weights. Only the
 * pool, the model name, the ids and the output folder differ from the "after" evaluation.
 */
export function baselineEvaluationInput(
  config: SprintConfig,
  pipeline: PipelineInput,
  pool: string,
): EvaluationInput {
  const after = pipeline.evaluate;
  if (!after) throw new Error('the pipeline has no evaluation to compare against');
  const model = config.models.pools[pool]?.model;
  if (!model) throw new Error(`pool "${pool}" is not configured (models.pools)`);
  const route = servedPoolRoute(config, pool);
  return {
    ...after,
    evalId: `${pipeline.pipelineId}-before-${after.benchmark}-${after.method}`,
    pool,
    model,
    outDir: path.join(path.dirname(after.outDir), 'eval-before'),
    ...(after.routing ? { routing: { planner: route, executor: route } } : {}),
  };
}

/** Runs (or, on a re-run of the same demo id, resumes) the baseline evaluation; returns its summary. */
export async function runBaselineEvaluation(
  client: Client,
  config: SprintConfig,
  input: EvaluationInput,
  pipelineId: string,
): Promise<RunSummary> {
  const handle = await client.workflow.start(evaluationWorkflow, {
    taskQueue: controlQueue(config),
    workflowId: `${pipelineId}-evaluate-before`,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: SprintPipeline, value: pipelineId }],
    staticSummary: `evaluate the untrained model (pipeline ${pipelineId})`,
  });
  const result: EvaluationResult = await handle.result();
  return result.summary;
}
