/*
 * Optional push of a curated dataset folder to the Hugging Face Hub (a dataset repo, private by
 * default) through the Hub module (io/hub). Re-running changes nothing: files that match the remote
 * (by sha256 when the Hub stores them in LFS, by git blob id otherwise) are not uploaded, and nothing
 * at all is committed when every file matches. Without a token the folder is mirrored under the
 * configured local folder instead.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { mirrorFiles, pushFiles, type LocalFile } from '../hub';

export interface PushOptions {
  datasetDir: string;
  /** `owner/name` of the dataset repo. */
  repo: string;
  private: boolean;
  hubUrl: string;
  token?: string;
  /** Without a token: files go to `<localMirror>/datasets/<repo>/`. */
  localMirror: string;
  fetch?: typeof fetch;
  commitTitle?: string;
}

export interface PushResult {
  target: 'hub' | 'local';
  location: string;
  uploaded: string[];
  unchanged: string[];
  commit?: string;
}

async function listLocal(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fsp.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listLocal(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** A dataset card: the YAML header names the SPRINT and RFT splits, then the run report. */
export async function datasetCard(datasetDir: string, repo: string): Promise<string> {
  let report = '';
  try {
    report = await fsp.readFile(path.join(datasetDir, 'report.md'), 'utf8');
  } catch {
    report = '';
  }
  return [
    '---',
    'configs:',
    '- config_name: sprint',
    '  data_files:',
    '  - split: train',
    '    path: sprint/train.jsonl',
    '  - split: test',
    '    path: sprint/test.jsonl',
    '- config_name: rft',
    '  data_files:',
    '  - split: train',
    '    path: rft/train.jsonl',
    '  - split: test',
    '    path: rft/test.jsonl',
    'tags:',
    '- sprint',
    '- parallel-reasoning',
    '---',
    '',
    `# ${repo}`,
    '',
    'SPRINT training samples (prompt/completion) curated from sequential reasoning traces, and the same',
    'traces in sequential form (`rft`) as the control set. Charts are in `charts/`.',
    '',
    report.replace(/^# .*\n/, ''),
  ].join('\n');
}

export async function pushDataset(opts: PushOptions): Promise<PushResult> {
  const files: LocalFile[] = [];
  for (const rel of (await listLocal(opts.datasetDir)).filter((f) => f !== 'README.md'))
    files.push({ path: rel, content: await fsp.readFile(path.join(opts.datasetDir, rel)) });
  files.push({ path: 'README.md', content: Buffer.from(await datasetCard(opts.datasetDir, opts.repo)) });

  if (!opts.token) {
    const root = path.resolve(opts.localMirror, 'datasets', ...opts.repo.split('/'));
    const mirrored = await mirrorFiles(root, files);
    return { target: 'local', location: root, uploaded: mirrored.written, unchanged: mirrored.unchanged };
  }
  const pushed = await pushFiles({
    connection: {
      hubUrl: opts.hubUrl,
      accessToken: opts.token,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    },
    repo: { type: 'dataset', name: opts.repo },
    private: opts.private,
    files,
    commitTitle: opts.commitTitle ?? 'Curated SPRINT dataset',
  });
  return {
    target: 'hub',
    location: pushed.location,
    uploaded: pushed.uploaded,
    unchanged: pushed.unchanged,
    ...(pushed.commitOid ? { commit: pushed.commitOid } : {}),
  };
}
