import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../core/errors';
import type { CallPromptText, CallRecord, RoundRecord, SessionTranscript } from '../core/session-types';
import type { SessionText, StoredText } from '../core/stored-text';
import type { ArtifactStore } from './artifacts';
import type { TextReader } from './stored-text-cache';

/*
 * Session texts that travel by reference (core/session/payload-limits.ts), stored and read back.
 * A model worker given a stored text needs the control worker's artifact store (`artifacts.root`,
 * a shared volume across machines); without one it fails the call with a clear, final error rather
 * than sending the engine a prompt with a hole in it.
 */

function needStore<S extends TextReader>(store: S | undefined, what: string): S {
  if (store) return store;
  throw ApplicationFailure.nonRetryable(
    `${what} came by reference, but this worker has no artifact store: give it the same artifacts.root as the control worker`,
    ErrorType.ArtifactMissing,
  );
}

/** The whole text of a session text (`store`: the artifact store, or a cache in front of it). */
export async function readSessionText(store: TextReader | undefined, t: SessionText): Promise<string> {
  if (typeof t === 'string') return t;
  const text = await needStore(store, `text ${t.stored.uri}`).getText(t.stored);
  if (text.length !== t.chars)
    throw ApplicationFailure.nonRetryable(
      `stored text ${t.stored.uri} has ${text.length} characters, its reference says ${t.chars}`,
      ErrorType.ArtifactCorrupt,
    );
  return text;
}

/** The whole prompt of a model call: its pieces read and joined. */
export async function readCallPrompt(store: TextReader | undefined, prompt: CallPromptText): Promise<string> {
  if (typeof prompt === 'string') return prompt;
  const texts = await Promise.all(prompt.map((p) => readSessionText(store, p)));
  return texts.join('');
}

/** Stores a text in the artifact store. */
export async function storeText(store: ArtifactStore | undefined, text: string): Promise<StoredText> {
  const stored = await needStore(store, 'a long text').put(text, '.txt');
  return { stored, chars: text.length };
}

/** `text` as is, or stored when longer than `past` (undefined: never stored). */
export async function storeIfLonger(
  store: ArtifactStore | undefined,
  text: string,
  past: number | undefined,
): Promise<SessionText> {
  return past !== undefined && text.length > past ? storeText(store, text) : text;
}

async function readCall(store: ArtifactStore | undefined, c: CallRecord<SessionText>): Promise<CallRecord> {
  return { ...c, raw: await readSessionText(store, c.raw) };
}

/** A round with every stored text read back. */
export async function readRound(
  store: ArtifactStore | undefined,
  r: RoundRecord<SessionText>,
): Promise<RoundRecord> {
  return {
    ...r,
    executions: await Promise.all(r.executions.map((e) => readSessionText(store, e))),
    calls: await Promise.all(r.calls.map((c) => readCall(store, c))),
  };
}

/** A transcript with every stored text read back (what a transcript file holds). */
export async function readTranscript(
  store: ArtifactStore | undefined,
  t: SessionTranscript<SessionText>,
): Promise<SessionTranscript> {
  const rounds: RoundRecord[] = [];
  for (const r of t.rounds) rounds.push(await readRound(store, r));
  return { ...t, rounds };
}

/** A method result with its text read back when it was stored. */
export async function readResultText<R extends { text: SessionText }>(
  store: ArtifactStore | undefined,
  result: R,
): Promise<Omit<R, 'text'> & { text: string }> {
  return { ...result, text: await readSessionText(store, result.text) };
}
