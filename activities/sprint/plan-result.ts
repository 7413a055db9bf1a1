import type { PlannerReading } from '../../core/session/policies';
import type { CallTiming, PlanCallResult, SessionText, StoredText } from '../../core/session-types';
import type { ArtifactStore } from '../../io/artifacts';
import type { CompletionResult } from '../../io/model-client';
import { storeIfLonger } from '../../io/session-texts';

/*
 * The planner activity's last two steps: long texts into the artifact store (the workflow then
 * holds them by reference, core/session/payload-limits.ts), and the result put together.
 */

/** The planner call's texts as the result carries them: inline, or stored past the input's limit. */
export interface PlanTexts {
  raw: SessionText;
  /** The plan text, when stored (executor prompts then carry it by reference). */
  planTextStored?: StoredText;
  /** The prompt, when it was long enough to be stored (startStoringPrompt). */
  promptStored?: StoredText;
}

/** Waits for the prompt being stored and stores the reply and plan text if longer than `past`. */
export async function storePlanTexts(
  store: ArtifactStore | undefined,
  past: number | undefined,
  texts: { raw: string; planText: string; promptStoring: Promise<StoredText> | undefined },
): Promise<PlanTexts> {
  const promptStored = await texts.promptStoring;
  const planText = await storeIfLonger(store, texts.planText, past);
  return {
    raw: await storeIfLonger(store, texts.raw, past),
    ...(typeof planText !== 'string' ? { planTextStored: planText } : {}),
    ...(promptStored !== undefined ? { promptStored } : {}),
  };
}

/** The planner activity's result, fields absent when they have nothing to say. */
export function planCallResult(parts: {
  texts: PlanTexts;
  reading: PlannerReading;
  completion: CompletionResult;
  promptEndTokens: number[];
  streamed: boolean;
  signalErrors: readonly string[];
  timing: CallTiming;
}): PlanCallResult {
  const { texts, reading } = parts;
  return {
    raw: texts.raw,
    ...(texts.promptStored !== undefined ? { promptStored: texts.promptStored } : {}),
    ...(texts.planTextStored !== undefined ? { planTextStored: texts.planTextStored } : {}),
    plan: reading.plan,
    usage: parts.completion.usage,
    promptEndTokens: parts.promptEndTokens,
    streamed: parts.streamed,
    ...(parts.signalErrors.length ? { signalErrors: [...parts.signalErrors] } : {}),
    ...(reading.retry !== undefined ? { retry: reading.retry } : {}),
    ...parts.timing,
  };
}
