import { callPriority } from '../core/priority/mapping';
import { workflowInfo } from '@temporalio/workflow';
import { sotSettingsSchema, type SotSettingsInput } from '../config/schema/methods';
import {
  applyTemplate,
  joinMessage,
  parseSkeleton,
  pointMessage,
  skeletonMessage,
} from '../core/methods/baselines';
import type { MethodRunResult } from '../core/method-result';
import {
  artifactCalls,
  modelCalls,
  parseMethodSettings,
  sharedQueueOf,
  sumTokens,
  type BaselineRunInput,
} from './baseline-common';

export interface SotInput extends BaselineRunInput {
  /** Parsed by `sotSettingsSchema` (config/schema/methods.ts); missing fields take their defaults. */
  settings?: SotSettingsInput;
}

/**
 * Skeleton-of-Thought: one skeleton call (a numbered list of short points), every point expanded in
 * parallel (one call each, all started together), one join call that writes the answer.
 * Sequential tokens = skeleton + longest expansion + join.
 *
 * settings (sotSettingsSchema): maxPoints (10), skeletonMaxTokens (1000), pointMaxTokens (2000),
 * joinMaxTokens (4000), temperature (0.6), answerKind (math | choice | countdown), promptTemplate,
 * callTimeoutMs.
 */
export async function sotWorkflow(input: SotInput): Promise<MethodRunResult> {
  const started = Date.now();
  const s = parseMethodSettings('sot', sotSettingsSchema, input.settings);
  const pool = input.pool ?? 'local';
  const { maxPoints, temperature, answerKind: kind } = s;
  const { complete } = modelCalls(
    sharedQueueOf(input, pool),
    s.callTimeoutMs,
    callPriority(input.priority, 'primary'),
  );
  const prompt = (message: string) => applyTemplate(s.promptTemplate, message);

  const skeleton = await complete({
    prompt: prompt(skeletonMessage(input.question, maxPoints)),
    maxTokens: s.skeletonMaxTokens,
    temperature,
  });
  const points = parseSkeleton(skeleton.text, maxPoints);
  if (!points.length) points.push('Solve the problem');
  const expansions = await Promise.all(
    points.map((_, i) =>
      complete({
        prompt: prompt(pointMessage(input.question, points, i)),
        maxTokens: s.pointMaxTokens,
        temperature,
      }),
    ),
  );
  const join = await complete({
    prompt: prompt(
      joinMessage(
        input.question,
        points,
        expansions.map((e) => e.text),
        kind,
      ),
    ),
    maxTokens: s.joinMaxTokens,
    temperature,
  });

  const calls = [skeleton, ...expansions, join];
  const longest = Math.max(0, ...expansions.map((e) => e.usage.completionTokens));
  const tokens = sumTokens(calls, skeleton.usage.completionTokens + longest + join.usage.completionTokens);
  const text =
    `<skeleton>\n${skeleton.text.trim()}\n</skeleton>\n\n` +
    expansions.map((e, i) => `<point_${i + 1}>\n${e.text.trim()}\n</point_${i + 1}>`).join('\n\n') +
    `\n\n<join>\n${join.text.trim()}\n</join>`;
  const transcript = await artifactCalls().putJsonArtifact(
    {
      method: 'sot',
      workflowId: workflowInfo().workflowId,
      question: input.question,
      points,
      calls: calls.map((c, i) => ({
        role: i === 0 ? 'skeleton' : i === calls.length - 1 ? 'join' : `point ${i}`,
        text: c.text,
        usage: c.usage,
        finishReason: c.finishReason,
        replica: `${c.pool}/${c.replica}`,
      })),
    },
    undefined,
  );
  return {
    method: 'sot',
    text,
    finalAnswer: join.text,
    rounds: 1,
    promptsPerRound: [points.length],
    tokens,
    wallMs: Date.now() - started,
    transcript,
  };
}
