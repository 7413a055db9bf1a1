import { artifactUri, type ArtifactRef } from '../core/artifact-ref';
import type { ArtifactStore } from './artifacts';

/*
 * Stored session texts read once per llm worker (issue 28). From a session's second round on, all
 * executors of a round continue the same stored prompt (core/session/payload-limits.ts), and a long
 * plan is one stored text they all render their tail from: without a cache, 16 executors started
 * together read and hash the same file 16 times, through the file system's thread pool, on the way
 * to their engine call. Artifacts are content-addressed and verified when first read, so a cached
 * text can never be stale. A read that fails is not kept: the next call reads again. What the
 * worker stores itself it keeps as well (`remember`), so on the replica that wrote a round's
 * prompt and plan the executors do not read them back at all.
 */

/** What reading a stored text needs of the artifact store. */
export type TextReader = Pick<ArtifactStore, 'getText'>;

/** Texts are bounded by their total length: the largest session's prompt is a few MB. */
export const STORED_TEXT_CACHE_CHARS = 32 * 1024 * 1024;

export class StoredTextCache implements TextReader {
  private readonly texts = new Map<string, { text: Promise<string>; chars: number }>();
  private chars = 0;

  constructor(
    private readonly store: TextReader,
    private readonly maxChars = STORED_TEXT_CACHE_CHARS,
  ) {}

  /** The text of `ref`, read from the store at most once while it stays cached (reads in flight shared). */
  getText(ref: ArtifactRef | string): Promise<string> {
    const uri = artifactUri(ref);
    const cached = this.texts.get(uri);
    if (cached) {
      // Most recently used last: eviction takes the oldest first.
      this.texts.delete(uri);
      this.texts.set(uri, cached);
      return cached.text;
    }
    const entry = { text: this.store.getText(ref), chars: 0 };
    this.texts.set(uri, entry);
    entry.text.then(
      (text) => {
        if (this.texts.get(uri) !== entry) return;
        entry.chars = text.length;
        this.chars += text.length;
        this.evict();
      },
      () => {
        if (this.texts.get(uri) === entry) this.texts.delete(uri);
      },
    );
    return entry.text;
  }

  /**
   * Keeps `text` as the text of `ref`, which this worker has just stored it under (write-through):
   * the calls that continue it (a round's executors from the planner's stored prompt and plan, the
   * next planner from the executors' stored replies) then read it without the file system, usually
   * on this same worker. Sound because artifacts are content-addressed: `ref` names exactly `text`.
   */
  remember(ref: ArtifactRef | string, text: string): void {
    const uri = artifactUri(ref);
    const old = this.texts.get(uri);
    if (old) {
      this.texts.delete(uri);
      this.chars -= old.chars;
    }
    this.texts.set(uri, { text: Promise.resolve(text), chars: text.length });
    this.chars += text.length;
    this.evict();
  }

  private evict(): void {
    for (const [uri, entry] of this.texts) {
      if (this.chars <= this.maxChars) return;
      this.texts.delete(uri);
      this.chars -= entry.chars;
    }
  }
}
