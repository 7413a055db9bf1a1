/*
 * Change detection against what a Hub repo already holds. The Hub lists a regular file with its git
 * blob id, and an LFS file with the blob id of its *pointer* plus the sha256 of the real content
 * (`lfs.oid`). Comparing an LFS file by its blob id would call it changed on every push, so a file
 * the Hub stores in LFS is compared by sha256 and a regular file by its git blob id.
 */
import { gitBlobId, sha256Hex } from './hashes';

/** What the Hub's file tree says about one file. */
export interface RemoteFile {
  /** Git blob id (of the pointer, for an LFS file). */
  oid: string;
  /** sha256 of the content, when the Hub stores the file in LFS. */
  lfsSha256?: string;
}

export interface LocalFile {
  /** Path in the repo, `/`-separated. */
  path: string;
  content: Buffer;
}

export function sameContent(remote: RemoteFile, content: Buffer): boolean {
  return remote.lfsSha256 !== undefined
    ? remote.lfsSha256 === sha256Hex(content)
    : remote.oid === gitBlobId(content);
}

/** The files that are new or differ from the remote ones, in the order given. */
export function changedFiles<F extends LocalFile>(files: F[], remote: Map<string, RemoteFile>): F[] {
  return files.filter((f) => {
    const r = remote.get(f.path);
    return !r || !sameContent(r, f.content);
  });
}
