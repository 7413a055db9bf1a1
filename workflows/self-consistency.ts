import { callPriority } from '../core/priority/mapping';
import { workflowInfo } from '@temporalio/workflow';
import { scSettingsSchema, type ScSettingsInput } from '../config/schema/methods';
import { applyTemplate, majorityVote, renderAnswer } from '../core/methods/baselines';
import type { MethodRunResult } from '../core/method-result';
import {
  artifactCalls,
  modelCalls,
  parseMethodSettings,
  sharedQueueOf,
  sumTokens,
  type BaselineRunInput,
} from './baseline-common';

export interface ScInput extends BaselineRunInput {
  /** Parsed by `scSettingsSchema` (config/schema/methods.ts); missing fields take their defaults. */
  settings?: ScSettingsInput;
}

/**
 * Self-consistency: n samples of the same prompt in parallel, majority vote on normalised answers
 * (samples with no answer abstain; ties go to the answer seen first). Sequential tokens = the longest
 * sample. Each sample gets its own seed (base seed + index) so engines that honour seeds differ.
 *
 * settings (scSettingsSchema): samples (20), maxTokens (8000), temperature (0.6), seed (0), answerKind,
 * promptTemplate, callTimeoutMs.
 */
export async function scWorkflow(input: ScInput): Promise<MethodRunResult> {
  const started = Date.now();
  const s = parseMethodSettings('sc', scSettingsSchema, input.settings);
  const pool = input.pool ?? 'local';
  const { samples: n, answerKind: kind, seed } = s;
  const { complete } = modelCalls(
    sharedQueueOf(input, pool),
    s.callTimeoutMs,
    callPriority(input.priority, 'primary'),
  );
  const prompt = applyTemplate(s.promptTemplate, input.question);
  const samples = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      complete({
        prompt,
        maxTokens: s.maxTokens,
        temperature: s.temperature,
        seed: seed + i,
      }),
    ),
  );
  const vote = majorityVote(
    samples.map((x) => x.text),
    kind,
  );
  const tokens = sumTokens(samples, Math.max(0, ...samples.map((x) => x.usage.completionTokens)));
  const transcript = await artifactCalls().putJsonArtifact(
    {
      method: 'sc',
      workflowId: workflowInfo().workflowId,
      question: input.question,
      vote,
      samples: samples.map((x) => ({
        text: x.text,
        usage: x.usage,
        finishReason: x.finishReason,
        replica: `${x.pool}/${x.replica}`,
      })),
    },
    undefined,
  );
  return {
    method: 'sc',
    text: vote.winner !== null ? samples[vote.winner]!.text : (samples[0]?.text ?? ''),
    finalAnswer: vote.answer !== null ? renderAnswer(vote.answer, kind) : null,
    rounds: 1,
    promptsPerRound: [n],
    tokens,
    wallMs: Date.now() - started,
    transcript,
  };
}
