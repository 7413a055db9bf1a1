/*
 * The two content hashes the Hub reports for a file: the git blob id (`oid`) of what git stores, and
 * for an LFS file the sha256 of the real content (`lfs.oid`). The one place in the tree that
 * computes a git blob id; node:crypto does the hashing (@huggingface/hub exports no such helper).
 */
import { createHash } from 'node:crypto';

export const sha256Hex = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/** Git's blob id: sha1 of `blob <size>\0` followed by the content (`git hash-object`). */
export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}
