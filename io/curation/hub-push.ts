/*
 * Optional push of a curated dataset folder to the Hugging Face Hub (a dataset repo, private by
 * default) through @huggingface/hub. Re-running changes nothing: files whose git blob id already
 * matches the remote are not uploaded, and nothing at all is committed when every file matches.
 * Without a token the folder is mirrored under the configured local folder instead.
 */
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { createRepo, listFiles, uploadFiles } from '@huggingface/hub';

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

/** Git's blob id of a file's content (what the Hub lists as `oid` for a regular file). */
export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
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
  const files = (await listLocal(opts.datasetDir)).filter((f) => f !== 'README.md');
  const contents = new Map<string, Buffer>();
  for (const f of files) contents.set(f, await fsp.readFile(path.join(opts.datasetDir, f)));
  contents.set('README.md', Buffer.from(await datasetCard(opts.datasetDir, opts.repo)));

  if (!opts.token) {
    const root = path.resolve(opts.localMirror, 'datasets', ...opts.repo.split('/'));
    const uploaded: string[] = [];
    const unchanged: string[] = [];
    for (const [rel, buf] of contents) {
      const target = path.join(root, rel);
      const old = await fsp.readFile(target).catch(() => undefined);
      if (old && old.equals(buf)) {
        unchanged.push(rel);
        continue;
      }
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, buf);
      uploaded.push(rel);
    }
    return { target: 'local', location: root, uploaded: uploaded.sort(), unchanged: unchanged.sort() };
  }

  const repo = { type: 'dataset' as const, name: opts.repo };
  const common = {
    hubUrl: opts.hubUrl,
    accessToken: opts.token,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  try {
    await createRepo({ repo, private: opts.private, ...common });
  } catch (err) {
    // 409: the repo exists already (a re-run): keep going.
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
  const remote = new Map<string, string | undefined>();
  for await (const entry of listFiles({ repo, recursive: true, ...common })) {
    if (entry.type === 'file') remote.set(entry.path, entry.oid);
  }
  const changed = [...contents].filter(([rel, buf]) => remote.get(rel) !== gitBlobId(buf));
  const unchanged = [...contents.keys()].filter((rel) => !changed.some(([c]) => c === rel)).sort();
  const location = `${opts.hubUrl.replace(/\/$/, '')}/datasets/${opts.repo}`;
  if (!changed.length) return { target: 'hub', location, uploaded: [], unchanged };
  const out = await uploadFiles({
    repo,
    files: changed.map(([rel, buf]) => ({ path: rel, content: new Blob([new Uint8Array(buf)]) })),
    commitTitle: opts.commitTitle ?? 'Curated SPRINT dataset',
    useXet: false,
    ...common,
  });
  return {
    target: 'hub',
    location,
    uploaded: changed.map(([rel]) => rel).sort(),
    unchanged,
    ...(out?.commit.oid ? { commit: out.commit.oid } : {}),
  };
}
