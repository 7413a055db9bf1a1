/*
 * Pushing a set of files to a Hub repo (model or dataset) as at most one commit: the repo is created
 * when missing, the remote tree is compared with the files (LFS-aware, see changes.ts), and only new
 * or changed files are sent. When nothing changed no commit is made, so a re-run is a no-op. Uploads
 * go through @huggingface/hub's commitIter, which picks regular or LFS upload per file as the Hub says.
 */
import { commitIter, createRepo, listFiles, repoExists, type CommitOperation } from '@huggingface/hub';
import { changedFiles, type LocalFile, type RemoteFile } from './changes';
import { hubParams, repoUrl, type HubConnection, type HubRepoId } from './connection';

export interface PushFilesInput {
  /** Writing needs a token. */
  connection: HubConnection & { accessToken: string };
  repo: HubRepoId;
  /** Visibility when the repo has to be created; an existing repo keeps its own. */
  private: boolean;
  files: LocalFile[];
  /** A title, or one made from the number of files the commit sends. */
  commitTitle: string | ((changedFiles: number) => string);
  /** Called with each upload event (phase changes, per-file progress): activities heartbeat here. */
  onProgress?: (event: PushProgress) => void;
  abortSignal?: AbortSignal;
}

export type PushProgress =
  { phase: string } | { phase: 'upload'; path: string; progress: number; state: string };

export interface PushFilesResult {
  /** The repo's page on the Hub. */
  location: string;
  committed: boolean;
  commitOid?: string;
  /** Paths sent (new or changed), sorted. */
  uploaded: string[];
  /** Paths that already matched the remote, sorted. */
  unchanged: string[];
}

/** The repo's files as the Hub lists them (recursive), keyed by path. */
export async function remoteFiles(
  connection: HubConnection,
  repo: HubRepoId,
): Promise<Map<string, RemoteFile>> {
  const remote = new Map<string, RemoteFile>();
  for await (const entry of listFiles({ repo, recursive: true, ...hubParams(connection) })) {
    if (entry.type !== 'file') continue;
    remote.set(entry.path, { oid: entry.oid ?? '', ...(entry.lfs ? { lfsSha256: entry.lfs.oid } : {}) });
  }
  return remote;
}

/** Creates the repo unless it exists; tells whether it existed (then its files must be compared). */
async function ensureRepo(input: PushFilesInput): Promise<boolean> {
  const common = { ...hubParams(input.connection), accessToken: input.connection.accessToken };
  if (await repoExists({ repo: input.repo, ...common })) return true;
  try {
    await createRepo({ repo: input.repo, private: input.private, ...common });
  } catch (err) {
    // 409: created meanwhile (a concurrent or retried push); its files are compared below.
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    return true;
  }
  return false;
}

export async function pushFiles(input: PushFilesInput): Promise<PushFilesResult> {
  const existed = await ensureRepo(input);
  const remote = existed ? await remoteFiles(input.connection, input.repo) : new Map<string, RemoteFile>();
  const changed = changedFiles(input.files, remote);
  const changedPaths = new Set(changed.map((f) => f.path));
  const result: PushFilesResult = {
    location: repoUrl(input.connection, input.repo),
    committed: false,
    uploaded: [...changedPaths].sort(),
    unchanged: input.files
      .map((f) => f.path)
      .filter((p) => !changedPaths.has(p))
      .sort(),
  };
  if (!changed.length) return result;

  const operations: CommitOperation[] = changed.map((f) => ({
    operation: 'addOrUpdate',
    path: f.path,
    content: new Blob([new Uint8Array(f.content)]),
  }));
  const iter = commitIter({
    repo: input.repo,
    ...hubParams(input.connection),
    operations,
    title: typeof input.commitTitle === 'string' ? input.commitTitle : input.commitTitle(changed.length),
    useXet: false,
    ...(input.abortSignal ? { abortSignal: input.abortSignal } : {}),
  });
  let next = await iter.next();
  while (!next.done) {
    const ev = next.value;
    input.onProgress?.(
      ev.event === 'phase'
        ? { phase: ev.phase }
        : { phase: 'upload', path: ev.path, progress: ev.progress, state: ev.state },
    );
    next = await iter.next();
  }
  return {
    ...result,
    committed: true,
    ...(next.value?.commit.oid ? { commitOid: next.value.commit.oid } : {}),
  };
}
