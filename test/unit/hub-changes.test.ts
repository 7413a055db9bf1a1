import fc from 'fast-check';
import { changedFiles, gitBlobId, sameContent, sha256Hex } from '../../io/hub';

describe('Hub content hashes', () => {
  it('computes git blob ids as git does', () => {
    // `printf 'hello\n' | git hash-object --stdin` and `git hash-object /dev/null`
    expect(gitBlobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobId(Buffer.alloc(0))).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });
});

describe('LFS-aware change detection', () => {
  const content = Buffer.from('{"id":"a"}\n');

  it('compares a regular file by its git blob id', () => {
    expect(sameContent({ oid: gitBlobId(content) }, content)).toBe(true);
    expect(sameContent({ oid: gitBlobId(Buffer.from('other')) }, content)).toBe(false);
  });

  it('compares an LFS file by the sha256 of its content, not the blob id of its pointer', () => {
    const pointerOid = gitBlobId(
      Buffer.from(
        `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(content)}\nsize ${content.length}\n`,
      ),
    );
    expect(sameContent({ oid: pointerOid, lfsSha256: sha256Hex(content) }, content)).toBe(true);
    expect(sameContent({ oid: pointerOid, lfsSha256: sha256Hex(Buffer.from('other')) }, content)).toBe(false);
    // An LFS entry whose blob id happens to match is still judged by its sha256.
    expect(sameContent({ oid: gitBlobId(content), lfsSha256: sha256Hex(Buffer.from('x')) }, content)).toBe(
      false,
    );
  });

  it('keeps exactly the files that are missing or differ, in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 8 }),
        fc.array(fc.constantFrom('same-regular', 'same-lfs', 'changed', 'missing'), {
          minLength: 8,
          maxLength: 8,
        }),
        (paths, kinds) => {
          const files = paths.map((p, i) => ({ path: p, content: Buffer.from(`content of ${p} ${i}`) }));
          const remote = new Map(
            files.flatMap((f, i) => {
              const kind = kinds[i]!;
              if (kind === 'missing') return [];
              if (kind === 'same-regular') return [[f.path, { oid: gitBlobId(f.content) }] as const];
              if (kind === 'same-lfs')
                return [[f.path, { oid: 'pointer', lfsSha256: sha256Hex(f.content) }] as const];
              return [[f.path, { oid: gitBlobId(Buffer.concat([f.content, Buffer.from('!')])) }] as const];
            }),
          );
          const expected = files.filter((_, i) => kinds[i] === 'changed' || kinds[i] === 'missing');
          expect(changedFiles(files, remote)).toEqual(expected);
        },
      ),
    );
  });
});
