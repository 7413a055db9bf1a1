/*
 * Publishing a trained model: to the Hugging Face Hub (io/hub) when a token is given, otherwise to a
 * local folder that mirrors the repo layout (hub.localMirror/<repo>) with a commit log beside it.
 * Only new or changed files are sent; when nothing changed no commit is made, so a re-run is a no-op.
 * Plain I/O: the publish activity adds heartbeats, cancellation and Temporal's error types.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SprintConfig } from '../config/schema';
import { ErrorType } from '../core/errors';
import { isHubRepoId } from '../core/hub-repo-id';
import { renderModelCard, type ModelCardInfo } from '../core/model-card';
import { mirrorFiles, pushFiles, sha256Hex, type LocalFile, type PushProgress } from './hub';

export interface PublishInput {
  /** The model folder to publish (the trainer's `final/`). */
  modelDir: string;
  /** Hub repo id, `namespace/name`. */
  repo: string;
  /** Default: config hub.private (true). */
  private?: boolean;
  card: ModelCardInfo;
  commitTitle?: string;
}

export interface PublishResult {
  target: 'hub' | 'local';
  repo: string;
  /** Hub URL of the repo, or the local mirror folder. */
  location: string;
  committed: boolean;
  commitOid?: string;
  /** Paths sent (new or changed). */
  uploaded: string[];
  unchanged: number;
  files: number;
}

/** The input cannot be published as given (no model folder, a malformed repo id): retrying won't help. */
export class BadPublishInput extends Error {
  override readonly name = ErrorType.BadPublishInput;
}

export interface ModelPublishOptions {
  hub: SprintConfig['hub'];
  /** The Hub token, from the caller's environment; without one the local mirror is written. */
  token?: string;
  fetch?: typeof fetch;
  onProgress?: (
    event: PushProgress | { phase: 'copying'; path: string; done: number; files: number },
  ) => void;
  abortSignal?: AbortSignal;
}

/** Files of the model folder that are not published (pickled trainer state). */
const EXCLUDED = new Set(['training_args.bin']);

function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (entry.isFile() && !EXCLUDED.has(entry.name) && !entry.name.startsWith('.'))
      out.push(path.relative(base, full));
  }
  return out.sort();
}

/** The files to publish: the model folder (minus trainer pickles) and the generated model card. */
export function collectModelFiles(modelDir: string, repo: string, card: ModelCardInfo): LocalFile[] {
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
    throw new BadPublishInput(`${modelDir} is not a model folder (no config.json)`);
  }
  const files = walk(modelDir)
    .filter((p) => p !== 'README.md')
    .map((p) => ({ path: p.split(path.sep).join('/'), content: fs.readFileSync(path.join(modelDir, p)) }));
  files.push({ path: 'README.md', content: Buffer.from(renderModelCard(repo, card)) });
  return files;
}

async function publishLocal(
  opts: ModelPublishOptions,
  input: PublishInput,
  files: LocalFile[],
): Promise<PublishResult> {
  const root = path.resolve(opts.hub.localMirror, input.repo);
  const { written } = await mirrorFiles(root, files, (p, done) =>
    opts.onProgress?.({ phase: 'copying', path: p, done, files: files.length }),
  );
  let commitOid: string | undefined;
  if (written.length) {
    // A commit log beside the files, like the repo history a Hub upload would leave.
    const manifest = files.map((f) => `${f.path} ${sha256Hex(f.content)}`).join('\n');
    commitOid = createHash('sha1').update(manifest).digest('hex');
    fs.appendFileSync(
      path.join(root, '.sprint-commits.jsonl'),
      JSON.stringify({ oid: commitOid, title: input.commitTitle ?? 'Upload SPRINT model', files: written }) +
        '\n',
    );
  }
  return {
    target: 'local',
    repo: input.repo,
    location: root,
    committed: written.length > 0,
    ...(commitOid ? { commitOid } : {}),
    uploaded: written,
    unchanged: files.length - written.length,
    files: files.length,
  };
}

export async function publishModel(opts: ModelPublishOptions, input: PublishInput): Promise<PublishResult> {
  if (!isHubRepoId(input.repo)) {
    throw new BadPublishInput(`repo "${input.repo}" is not of the form namespace/name`);
  }
  const files = collectModelFiles(input.modelDir, input.repo, input.card);
  if (!opts.token) return publishLocal(opts, input, files);
  const pushed = await pushFiles({
    connection: {
      hubUrl: opts.hub.endpoint,
      accessToken: opts.token,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    },
    repo: { type: 'model', name: input.repo },
    private: input.private ?? opts.hub.private,
    files,
    commitTitle: input.commitTitle ?? ((n) => `Upload SPRINT model (${n} file(s))`),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.abortSignal ? { abortSignal: opts.abortSignal } : {}),
  });
  return {
    target: 'hub',
    repo: input.repo,
    location: pushed.location,
    committed: pushed.committed,
    ...(pushed.commitOid ? { commitOid: pushed.commitOid } : {}),
    uploaded: pushed.uploaded,
    unchanged: pushed.unchanged.length,
    files: files.length,
  };
}
