import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArtifactStore } from '../../io/artifacts';

describe('ArtifactStore', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-store-'));
  const store = new ArtifactStore(root);

  it('stores content by its hash and returns a small ref', async () => {
    const ref = await store.putJson({ hello: 'world' });
    const expected = createHash('sha256').update('{"hello":"world"}').digest('hex');
    expect(ref).toEqual({ uri: `artifact://sha256/${expected}.json`, sha256: expected, bytes: 17 });
    expect(await store.getJson(ref)).toEqual({ hello: 'world' });
    expect(store.pathOf(ref).startsWith(root)).toBe(true);
  });

  it('is idempotent: the same content gives the same ref and one file', async () => {
    const a = await store.put('same bytes', '.txt');
    const b = await store.put('same bytes', '.txt');
    expect(a).toEqual(b);
    expect(fs.readdirSync(path.dirname(store.pathOf(a))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('detects corruption and missing content', async () => {
    const ref = await store.put('precious', '.txt');
    fs.writeFileSync(store.pathOf(ref), 'tampered');
    await expect(store.get(ref)).rejects.toThrow(/corrupted/);
    fs.rmSync(store.pathOf(ref));
    await expect(store.get(ref)).rejects.toThrow(/not in the store/);
  });

  it('maps deterministic keys to refs, for idempotent activities', async () => {
    expect(await store.getKey('runs/r1/trace-3')).toBeUndefined();
    const ref = await store.putJson([1, 2, 3]);
    await store.setKey('runs/r1/trace-3', ref);
    expect(await store.getKey('runs/r1/trace-3')).toEqual(ref);
    await expect(store.setKey('../escape', ref)).rejects.toThrow(/bad artifact key/);
  });

  it('copies files in with a streamed hash', async () => {
    const file = path.join(root, 'input.bin');
    fs.writeFileSync(file, Buffer.alloc(1 << 20, 7));
    const ref = await store.putFile(file);
    expect(ref.bytes).toBe(1 << 20);
    expect((await store.get(ref)).equals(fs.readFileSync(file))).toBe(true);
  });
});
