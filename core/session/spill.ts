import type { SessionTranscript } from '../session-types';
import type { SessionText, StoredText } from '../stored-text';

/*
 * Before a transcript leaves the workflow in one payload (written, checkpointed), its inline texts
 * are bounded: the longest replies are stored until the JSON fits the budget. Replies past the
 * reply threshold are stored by the model calls already; this catches many just-below-threshold
 * ones adding up (e.g. 12 rounds x 16 executions of 7 KB).
 */

/** Where a reply text sits in a transcript: an execution or a call's raw reply. */
export type TextPlace = { round: number; execution: number } | { round: number; call: number };

/** A StoredText's size in JSON, roughly: what replacing a text by one costs. */
const STORED_TEXT_JSON_CHARS = 200;

/** The inline texts to store, longest first, for the transcript's JSON to fit `budgetChars`. */
export function textsToStore(t: SessionTranscript<SessionText>, budgetChars: number): TextPlace[] {
  let size = JSON.stringify(t).length;
  if (size <= budgetChars) return [];
  const inline: { place: TextPlace; chars: number }[] = [];
  t.rounds.forEach((r, round) => {
    r.executions.forEach((e, execution) => {
      if (typeof e === 'string' && e.length > STORED_TEXT_JSON_CHARS)
        inline.push({ place: { round, execution }, chars: e.length });
    });
    r.calls.forEach((c, call) => {
      if (typeof c.raw === 'string' && c.raw.length > STORED_TEXT_JSON_CHARS)
        inline.push({ place: { round, call }, chars: c.raw.length });
    });
  });
  inline.sort((a, b) => b.chars - a.chars);
  const out: TextPlace[] = [];
  for (const x of inline) {
    if (size <= budgetChars) break;
    out.push(x.place);
    size -= x.chars - STORED_TEXT_JSON_CHARS;
  }
  return out;
}

/** The inline text at a place (as textsToStore found it). */
export function textAt(t: SessionTranscript<SessionText>, place: TextPlace): string {
  const r = t.rounds[place.round];
  const text = 'execution' in place ? r?.executions[place.execution] : r?.calls[place.call]?.raw;
  if (typeof text !== 'string') throw new Error(`no inline text at ${JSON.stringify(place)}`);
  return text;
}

/** Puts a stored text where the inline one was. */
export function replaceText(t: SessionTranscript<SessionText>, place: TextPlace, stored: StoredText): void {
  const r = t.rounds[place.round];
  if (!r) throw new Error(`no round ${place.round}`);
  if ('execution' in place) r.executions[place.execution] = stored;
  else {
    const call = r.calls[place.call];
    if (!call) throw new Error(`no call ${place.call} in round ${place.round}`);
    call.raw = stored;
  }
}

/**
 * Rounds in consecutive batches whose JSON fits `budgetChars` each (a round larger than the budget
 * alone in its batch): how a transcript too large for one payload travels, once its longest texts
 * are stored (plans and many short rounds can still add up).
 */
export function batchRounds<R>(rounds: readonly R[], budgetChars: number): R[][] {
  const out: R[][] = [];
  let batch: R[] = [];
  let size = 0;
  for (const r of rounds) {
    const n = JSON.stringify(r).length;
    if (batch.length && size + n > budgetChars) {
      out.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(r);
    size += n;
  }
  if (batch.length) out.push(batch);
  return out;
}
