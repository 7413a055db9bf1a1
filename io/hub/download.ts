/*
 * Reading files from a Hub repo: listing a folder and downloading one file as text, through
 * @huggingface/hub (plain HTTP downloads, no Xet). Errors name the repo, revision and file, and say
 * when no token was sent (gated datasets need one).
 */
import { downloadFile, listFiles } from '@huggingface/hub';
import { hubParams, type HubConnection, type HubRepoId } from './connection';
import { networkErrorMessage } from '../network-error';

export interface HubFileRef {
  repo: HubRepoId;
  path: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
}

/** `dataset owner/name@rev` or `model owner/name`: how errors name a repo. */
export function describeRepo(repo: HubRepoId, revision?: string): string {
  return `${repo.type} ${repo.name}${revision ? `@${revision}` : ''}`;
}

/** Paths of the files under `folder` (the whole repo when omitted), recursive, sorted. */
export async function listRepoFiles(
  connection: HubConnection,
  repo: HubRepoId,
  opts: { folder?: string; revision?: string } = {},
): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of listFiles({
      repo,
      recursive: true,
      ...(opts.folder ? { path: opts.folder } : {}),
      ...(opts.revision ? { revision: opts.revision } : {}),
      ...hubParams(connection),
    })) {
      if (entry.type === 'file') out.push(entry.path);
    }
  } catch (err) {
    const under = opts.folder ? ` under ${opts.folder}` : '';
    throw new Error(
      `cannot list the files of ${describeRepo(repo, opts.revision)}${under}: ${networkErrorMessage(err)}`,
    );
  }
  return out.sort();
}

/**
 * Downloads one file as UTF-8 text. `tokenEnv` names the variable the token would come from, so
 * that a refused download without a token says where to put one.
 */
export async function downloadText(
  connection: HubConnection,
  file: HubFileRef,
  opts: { tokenEnv?: string } = {},
): Promise<string> {
  return (await downloadBlob(connection, file, opts)).text();
}

/** Downloads one file as bytes (binary files such as Parquet); errors as `downloadText`. */
export async function downloadBlob(
  connection: HubConnection,
  file: HubFileRef,
  opts: { tokenEnv?: string } = {},
): Promise<Blob> {
  const where = describeRepo(file.repo, file.revision);
  let blob: Blob | null;
  try {
    blob = await downloadFile({
      repo: file.repo,
      path: file.path,
      xet: false,
      ...(file.revision ? { revision: file.revision } : {}),
      ...hubParams(connection),
    });
  } catch (err) {
    // The token hint only when the Hub answered: a network failure has nothing to do with tokens.
    const hubAnswered = typeof (err as { statusCode?: unknown }).statusCode === 'number';
    const hint =
      connection.accessToken || !opts.tokenEnv || !hubAnswered
        ? ''
        : ` (no token in $${opts.tokenEnv}; gated datasets such as GPQA need one)`;
    throw new Error(`cannot download ${file.path} from ${where}: ${networkErrorMessage(err)}${hint}`);
  }
  if (!blob) throw new Error(`${where} has no file ${file.path}`);
  return blob;
}
