import { workflowInfo } from '@temporalio/workflow';
import {
  DEFAULT_PROMPT_TEMPLATE,
  applyTemplate,
  majorityVote,
  renderAnswer,
} from '../core/methods/baselines';
import type { MethodRunResult } from '../core/method-result';
import {
  answerKindSetting,
  artifactCalls,
  badSetting,
  modelCalls,
  sharedQueueOf,
  type BaselineRunInput,
  numberSetting,
  sumTokens,
} from './baseline-common';

/**
 * Self-consistency: n samples of the same prompt in parallel, majority vote on normalised answers
 * (samples with no answer abstain; ties go to the answer seen first). Sequential tokens = the longest
 * sample. Each sample gets its own seed (base seed + index) so engines that honour seeds differ.
 *
 * settings: samples (20), maxTokens (8000), temperature (0.6), seed (0), answerKind, promptTemplate,
 * callTimeoutMs.
 */
export async function scWorkflow(input: BaselineRunInput): Promise<MethodRunResult> {
  const started = Date.now();
  const s = input.settings ?? {};
  const pool = input.pool ?? 'local';
  const n = numberSetting(s, 'samples', 20, 1);
  if (!Number.isInteger(n)) badSetting('setting "samples" must be an integer');
  const kind = answerKindSetting(s);
  const template = typeof s.promptTemplate === 'string' ? s.promptTemplate : DEFAULT_PROMPT_TEMPLATE;
  if (!template.includes('{question}')) badSetting('setting "promptTemplate" must contain {question}');
  const seed = numberSetting(s, 'seed', 0);
  const { complete } = modelCalls(sharedQueueOf(input, pool), numberSetting(s, 'callTimeoutMs', 600_000, 1000));
  const prompt = applyTemplate(template, input.question);
  const samples = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      complete({
        prompt,
        maxTokens: numberSetting(s, 'maxTokens', 8000, 1),
        temperature: numberSetting(s, 'temperature', 0.6),
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
