import type { PlanCallInput, StoredText } from '../../core/session-types';
import type { ArtifactStore } from '../../io/artifacts';
import { storeText } from '../../io/session-texts';

/**
 * Starts storing a long planner prompt, for the round's executors and the next planner to
 * continue by reference; it is written while the engine works, so it adds nothing to the call's
 * time. A forced answer's prompt is never continued, so never stored. Await the result once the
 * reply is in: a failed write is reported there.
 */
export function startStoringPrompt(
  store: ArtifactStore | undefined,
  input: Pick<PlanCallInput, 'forcedFinal' | 'storePromptPast'>,
  prompt: string,
): Promise<StoredText> | undefined {
  if (input.forcedFinal || input.storePromptPast === undefined || prompt.length <= input.storePromptPast)
    return undefined;
  const storing = storeText(store, prompt);
  storing.catch(() => undefined); // awaited by the caller, which sees the failure
  return storing;
}
