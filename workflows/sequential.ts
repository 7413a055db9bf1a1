import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities/artifacts';
import { sharedPoolRoute } from '../config/queues';
import type { SessionSettingsInput } from '../config/schema/session';
import { accountSequential } from '../core/accounting';
import { extractFinalAnswer, renderSessionPrefix } from '../core/format';
import type { MethodRunInput, MethodRunResult } from '../core/method-result';
import { callPriority } from '../core/priority/mapping';
import { modelCalls } from './model-calls';
import { StickyRouter } from './routing';
import type { SessionRouting } from './session';
import { settingsOf } from './session/settings';
import {
  SprintKind,
  SprintMethod,
  SprintModel,
  SprintPool,
  SprintProgress,
  SprintSequentialTokens,
  SprintStatus,
  SprintTotalTokens,
} from './search-attributes';

export interface SequentialInput extends MethodRunInput {
  /** Session settings (`sequentialMaxTokens`, sampling, prompt template, retries, routing timeouts). */
  settings?: SessionSettingsInput;
  routing?: Pick<SessionRouting, 'planner'>;
}

/**
 * The sequential baseline: the same prompt prefix + `<think>\n`, one plain completion up to
 * `sequentialMaxTokens` (paper: 36,000). Sequential tokens = generated tokens. The final answer
 * is the `<Final_answer>` block when the model writes one, else the text after `</think>`, else all.
 */
export async function sequentialWorkflow(input: SequentialInput): Promise<MethodRunResult> {
  const info = workflowInfo();
  const settings = settingsOf(input);
  const pool = input.routing?.planner.pool ?? input.pool ?? 'local';
  const route = input.routing?.planner ?? sharedPoolRoute(pool);
  const startedAt = Date.now();
  const attrs = (status: string, tokens?: { sequential: number; total: number }) =>
    upsertSearchAttributes([
      { key: SprintKind, value: 'session' },
      { key: SprintMethod, value: 'sequential' },
      { key: SprintStatus, value: status },
      { key: SprintModel, value: route.model },
      { key: SprintPool, value: route.pool },
      { key: SprintProgress, value: tokens ? 1 : 0 },
      ...(tokens
        ? [
            { key: SprintSequentialTokens, value: tokens.sequential },
            { key: SprintTotalTokens, value: tokens.total },
          ]
        : []),
    ]);
  attrs('running');
  const router = new StickyRouter(route, info.workflowId, settings);
  const prompt = `${renderSessionPrefix(settings.promptTemplate, settings.systemPrompt, input.question)}<think>\n`;
  const result = await router.call((queue, sts) =>
    modelCalls(
      settings,
      queue,
      sts,
      'sequential completion',
      callPriority(input.priority, 'primary'),
    ).sprintSequential({
      prompt,
      maxTokens: settings.sequentialMaxTokens,
      temperature: settings.temperature,
      ...(settings.topP !== undefined ? { topP: settings.topP } : {}),
      ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    }),
  );
  const tokens = accountSequential(result.usage);
  const text = result.raw;
  const afterThink = text.includes('</think>') ? text.slice(text.lastIndexOf('</think>') + 8).trim() : null;
  const finalAnswer = extractFinalAnswer(text) ?? (afterThink || text.trim());
  const transcript = await proxyActivities<ArtifactActivities>({
    taskQueue: info.taskQueue,
    startToCloseTimeout: 60_000,
    retry: { maximumAttempts: 5 },
  }).putJsonArtifact(
    {
      version: 1,
      method: 'sequential',
      workflowId: info.workflowId,
      question: input.question,
      call: result,
      tokens,
    },
    `sessions/${info.workflowId}/transcript`,
  );
  attrs('completed', tokens);
  return {
    method: 'sequential',
    text,
    finalAnswer,
    rounds: 1,
    promptsPerRound: [],
    tokens,
    wallMs: Date.now() - startedAt,
    transcript,
  };
}
