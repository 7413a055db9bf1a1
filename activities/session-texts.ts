import type { ArtifactRef } from '../core/artifact-ref';
import { renderTrajectory } from '../core/format';
import { PAYLOAD_BUDGET_CHARS } from '../core/session/payload-limits';
import { promptRounds } from '../core/session/rounds';
import type { SessionTranscript } from '../core/session-types';
import type { SessionText, StoredText } from '../core/stored-text';
import type { ArtifactStore } from '../io/artifacts';
import { readTranscript, storeIfLonger, storeText } from '../io/session-texts';

/*
 * The control worker's side of long sessions (core/session/payload-limits.ts): texts the workflow
 * moves out of its payloads, and the transcript file written with every stored text read back.
 */

/** What writing a session's transcript gives the workflow for its result. */
export interface WrittenTranscript {
  transcript: ArtifactRef;
  /** The trajectory text (SPRINT tags), stored when too long for the result payload. */
  text: SessionText;
}

export function createSessionTextActivities(store: ArtifactStore) {
  return {
    /** Stores texts the workflow holds inline (the longest first, when a payload would be too large). */
    async storeSessionTexts(texts: string[]): Promise<StoredText[]> {
      return Promise.all(texts.map((t) => storeText(store, t)));
    },

    /**
     * Writes the transcript under `key` with every stored text read back (readers of the file never
     * meet a reference), and returns the trajectory text for the session's result. `roundBatches`,
     * when given, hold the rounds (in order) of a transcript too large to be sent with them.
     */
    async writeSessionTranscript(
      transcript: SessionTranscript<SessionText>,
      key: string,
      roundBatches?: ArtifactRef[],
    ): Promise<WrittenTranscript> {
      // A long session sends its rounds in stored batches beside a transcript without them.
      const rounds = roundBatches?.length
        ? (
            await Promise.all(
              roundBatches.map((b) => store.getJson<SessionTranscript<SessionText>['rounds']>(b)),
            )
          ).flat()
        : transcript.rounds;
      const full = await readTranscript(store, { ...transcript, rounds });
      const ref = await store.putJson(full);
      await store.setKey(key, ref);
      const text = renderTrajectory({ rounds: promptRounds(full.rounds), final: full.final });
      return { transcript: ref, text: await storeIfLonger(store, text, PAYLOAD_BUDGET_CHARS / 2) };
    },
  };
}

export type SessionTextActivities = ReturnType<typeof createSessionTextActivities>;
