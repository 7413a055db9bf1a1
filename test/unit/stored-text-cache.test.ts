import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArtifactStore } from '../../io/artifacts';
import { readCallPrompt } from '../../io/session-texts';
import { StoredTextCache, type TextReader } from '../../io/stored-text-cache';

/*
 * The llm worker's cache of stored session texts (io/stored-text-cache.ts): a round's executors
 * share one read of the stored prompt, what they get is what was stored, and a failed read is
 * tried again by the next call.
 */

function tempStore(): ArtifactStore {
  return new ArtifactStore(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-text-cache-')));
}

/** The store, counting the reads that reach it. */
function counting(store: TextReader): TextReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    getText: (ref) => {
      reads.push(typeof ref === 'string' ? ref : ref.uri);
      return store.getText(ref);
    },
  };
}

describe('StoredTextCache', () => {
  it('gives 16 executors started together one read of their shared stored prompt', async () => {
    const store = tempStore();
    const text = 'history '.repeat(2000);
    const ref = await store.put(text, '.txt');
    const inner = counting(store);
    const cache = new StoredTextCache(inner);
    const prompts = await Promise.all(
      Array.from({ length: 16 }, (_, k) =>
        readCallPrompt(cache, [{ stored: ref, chars: text.length }, `<execution_1.${k + 1}>`]),
      ),
    );
    prompts.forEach((p, k) => expect(p).toBe(`${text}<execution_1.${k + 1}>`));
    expect(inner.reads).toEqual([ref.uri]);
    // Later rounds' calls find it too.
    await expect(cache.getText(ref)).resolves.toBe(text);
    expect(inner.reads).toHaveLength(1);
  });

  it('keeps no failed read: the next call reads again', async () => {
    const store = tempStore();
    const ref = await store.put('plan text', '.txt');
    fs.renameSync(store.pathOf(ref), `${store.pathOf(ref)}.away`);
    const inner = counting(store);
    const cache = new StoredTextCache(inner);
    await expect(cache.getText(ref)).rejects.toMatchObject({ type: 'ArtifactMissing' });
    fs.renameSync(`${store.pathOf(ref)}.away`, store.pathOf(ref));
    await expect(cache.getText(ref)).resolves.toBe('plan text');
    expect(inner.reads).toHaveLength(2);
  });

  it('serves a text it was told this worker stored without reading it, within the same bound', async () => {
    const store = tempStore();
    const [a, b] = await Promise.all(['a'.repeat(60), 'b'.repeat(60)].map((t) => store.put(t, '.txt')));
    const inner = counting(store);
    const cache = new StoredTextCache(inner, 100);
    cache.remember(a!, 'a'.repeat(60));
    await expect(cache.getText(a!)).resolves.toBe('a'.repeat(60));
    expect(inner.reads).toEqual([]);
    cache.remember(b!, 'b'.repeat(60)); // 120 chars > 100: a goes
    await expect(cache.getText(b!.uri)).resolves.toBe('b'.repeat(60));
    await expect(cache.getText(a!)).resolves.toBe('a'.repeat(60));
    expect(inner.reads).toEqual([a!.uri]);
  });

  it('drops the least recently used texts past its size bound', async () => {
    const store = tempStore();
    const [a, b, c] = await Promise.all(
      ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)].map((t) => store.put(t)),
    );
    const inner = counting(store);
    const cache = new StoredTextCache(inner, 100);
    await cache.getText(a!);
    await cache.getText(b!);
    await cache.getText(a!); // a used last: b is now the oldest
    await cache.getText(c!); // 120 chars > 100: b goes
    expect(inner.reads).toEqual([a!.uri, b!.uri, c!.uri]);
    await cache.getText(a!);
    await cache.getText(c!);
    expect(inner.reads).toHaveLength(3);
    await cache.getText(b!);
    expect(inner.reads).toEqual([a!.uri, b!.uri, c!.uri, b!.uri]);
  });
});
