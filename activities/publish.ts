import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CommitOperation } from '@huggingface/hub';
import type { SprintConfig } from '../config/schema';
import { ErrorType } from '../core/errors';

/*
 * Publishing a trained model: to the Hugging Face Hub through @huggingface/hub when a token is in
 * the worker's environment (variable named by hub.tokenEnv), otherwise to a local folder that
 * mirrors the repo layout (hub.localMirror/<repo>). Files are compared with what the repo already
 * holds (sha256 for LFS files, the git blob id for the others) and only changed files are sent;
 * when nothing changed no commit is made, so a re-run is a no-op.
 */

export interface ModelCardInfo {
  baseModel: string;
  /** Dataset name or folder, and its statistics (records, tokens, kept/skipped). */
  dataset?: string;
  datasetStats?: Record<string, unknown>;
  hyperparameters?: Record<string, unknown>;
  training?: {
    steps?: number;
    trainLoss?: number;
    bestEvalLoss?: number;
    launcher?: string;
    runtimeS?: number;
  };
  /** Evaluation results when present: rows of benchmark/method/accuracy/sequential tokens... */
  evalResults?: Record<string, unknown>[];
  license?: string;
}

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

/** Files of the model folder that are not published (pickled trainer state). */
const EXCLUDED = new Set(['training_args.bin']);

export interface PublishFile {
  path: string;
  content: Buffer;
}

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

export const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Git's blob id: sha1 of "blob <size>\0" + content (what the Hub reports as `oid` for regular files). */
export const gitBlobOid = (b: Buffer) =>
  createHash('sha1')
    .update(Buffer.from(`blob ${b.length}\0`))
    .update(b)
    .digest('hex');

const fmt = (v: unknown): string => {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) < 1e-3 ? v.toExponential() : String(Number(v.toPrecision(4)));
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
};

/** The model card (README.md): deterministic for the same inputs, so a re-run changes nothing. */
export function renderModelCard(repo: string, card: ModelCardInfo): string {
  const name = repo.split('/').pop() ?? repo;
  const lines = [
    '---',
    `base_model: ${card.baseModel}`,
    `license: ${card.license ?? 'apache-2.0'}`,
    'library_name: transformers',
    'pipeline_tag: text-generation',
    'tags:',
    '  - sprint',
    '  - parallel-reasoning',
    '  - reasoning',
    '---',
    '',
    `# ${name}`,
    '',
    `A SPRINT model: \`${card.baseModel}\` fine-tuned to reason in interleaved plan / parallel-execution rounds`,
    '(`<Plan_k>` with `<prompt_k.i>` sub-tasks, `<execution_k.i>` results, `<Final_answer>`), so that a',
    'serving loop can run the independent sub-tasks of each round in parallel.',
    '',
    '## Training data',
    '',
    `- dataset: ${card.dataset ?? 'SPRINT curated records (prompt/completion)'}`,
  ];
  for (const [k, v] of Object.entries(card.datasetStats ?? {})) lines.push(`- ${k}: ${fmt(v)}`);
  lines.push('', '## Training', '', '| setting | value |', '|---|---|');
  for (const [k, v] of Object.entries(card.hyperparameters ?? {})) {
    if (v !== null && v !== undefined) lines.push(`| ${k} | ${fmt(v)} |`);
  }
  const t = card.training ?? {};
  if (t.launcher) lines.push(`| launcher | ${t.launcher} |`);
  if (t.steps !== undefined) lines.push(`| optimizer steps | ${t.steps} |`);
  if (t.trainLoss !== undefined) lines.push(`| train loss | ${fmt(t.trainLoss)} |`);
  if (t.bestEvalLoss !== undefined)
    lines.push(`| best eval loss (kept checkpoint) | ${fmt(t.bestEvalLoss)} |`);
  lines.push(
    '',
    'Loss on the completion tokens only; prompt and completion rendered as plain strings (no chat template).',
  );
  if (card.evalResults?.length) {
    const cols = [...new Set(card.evalResults.flatMap((r) => Object.keys(r)))];
    lines.push('', '## Evaluation', '', `| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
    for (const r of card.evalResults)
      lines.push(`| ${cols.map((c) => (r[c] === undefined ? '' : fmt(r[c]))).join(' | ')} |`);
  }
  lines.push(
    '',
    '## Serving with the SPRINT loop',
    '',
    'Serve the model with an OpenAI-compatible engine (prefix caching on), then run sessions through the',
    'sprint platform, which drives the plan / parallel-execute rounds on Temporal:',
    '',
    '```bash',
    `vllm serve ${repo} --served-model-name sprint --enable-prefix-caching`,
    'npx sprint dev                      # Temporal + workers',
    'npx sprint ask "What is 2^10 - 1?" --planner http://127.0.0.1:8000/v1',
    '```',
    '',
    'The planner continues one assistant turn that starts with `<think>` and stops at `</Plan_` or',
    '`</Final_answer>`; each `<prompt_k.i>` goes to its own executor call that ends in the opened',
    '`<execution_k.i>` tag and stops at `</execution_`.',
    '',
  );
  return lines.join('\n');
}

/** The files to publish: the model folder (minus trainer pickles) and the generated model card. */
export function collectFiles(modelDir: string, repo: string, card: ModelCardInfo): PublishFile[] {
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
    throw ApplicationFailure.nonRetryable(
      `${modelDir} is not a model folder (no config.json)`,
      ErrorType.BadPublishInput,
    );
  }
  const files = walk(modelDir)
    .filter((p) => p !== 'README.md')
    .map((p) => ({ path: p.split(path.sep).join('/'), content: fs.readFileSync(path.join(modelDir, p)) }));
  files.push({ path: 'README.md', content: Buffer.from(renderModelCard(repo, card)) });
  return files;
}

export interface PublishDeps {
  hub: SprintConfig['hub'];
  env?: NodeJS.ProcessEnv;
  /** fetch for @huggingface/hub (tests inject one bound to a Hub double). */
  fetch?: typeof fetch;
}

function heartbeat(details: unknown) {
  try {
    Context.current().heartbeat(details);
  } catch {
    // outside an activity (direct calls in tests)
  }
}

async function publishLocal(
  deps: PublishDeps,
  input: PublishInput,
  files: PublishFile[],
): Promise<PublishResult> {
  const root = path.resolve(deps.hub.localMirror, input.repo);
  const uploaded: string[] = [];
  for (const f of files) {
    const target = path.join(root, f.path);
    const same = fs.existsSync(target) && sha256Hex(fs.readFileSync(target)) === sha256Hex(f.content);
    if (same) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, f.content);
    fs.renameSync(tmp, target);
    uploaded.push(f.path);
    heartbeat({ phase: 'copying', path: f.path, done: uploaded.length, files: files.length });
  }
  let commitOid: string | undefined;
  if (uploaded.length) {
    // A commit log beside the files, like the repo history a Hub upload would leave.
    const manifest = files.map((f) => `${f.path} ${sha256Hex(f.content)}`).join('\n');
    commitOid = createHash('sha1').update(manifest).digest('hex');
    const log = path.join(root, '.sprint-commits.jsonl');
    fs.appendFileSync(
      log,
      JSON.stringify({ oid: commitOid, title: input.commitTitle ?? 'Upload SPRINT model', files: uploaded }) +
        '\n',
    );
  }
  return {
    target: 'local',
    repo: input.repo,
    location: root,
    committed: uploaded.length > 0,
    ...(commitOid ? { commitOid } : {}),
    uploaded,
    unchanged: files.length - uploaded.length,
    files: files.length,
  };
}

async function publishHub(
  deps: PublishDeps,
  token: string,
  input: PublishInput,
  files: PublishFile[],
): Promise<PublishResult> {
  const hub = await import('@huggingface/hub');
  const repo = { type: 'model' as const, name: input.repo };
  const common = {
    hubUrl: deps.hub.endpoint.replace(/\/+$/, ''),
    accessToken: token,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  const location = `${common.hubUrl}/${input.repo}`;
  const exists = await hub.repoExists({ repo, ...common });
  if (!exists) {
    try {
      await hub.createRepo({
        repo,
        visibility: (input.private ?? deps.hub.private) ? 'private' : 'public',
        ...common,
      });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err; // created meanwhile
    }
  }
  // What the repo holds now: sha256 for LFS files, the git blob id for the others.
  const remote = new Map<string, { oid?: string; lfs?: string }>();
  if (exists) {
    for await (const entry of hub.listFiles({ repo, recursive: true, ...common })) {
      if (entry.type === 'file') remote.set(entry.path, { oid: entry.oid, lfs: entry.lfs?.oid });
    }
  }
  const changed = files.filter((f) => {
    const r = remote.get(f.path);
    if (!r) return true;
    return r.lfs ? r.lfs !== sha256Hex(f.content) : r.oid !== gitBlobOid(f.content);
  });
  const base: PublishResult = {
    target: 'hub',
    repo: input.repo,
    location,
    committed: false,
    uploaded: [],
    unchanged: files.length - changed.length,
    files: files.length,
  };
  if (!changed.length) return base;

  const operations: CommitOperation[] = changed.map((f) => ({
    operation: 'addOrUpdate',
    path: f.path,
    content: new Blob([new Uint8Array(f.content)]),
  }));
  const signal = (() => {
    try {
      return Context.current().cancellationSignal;
    } catch {
      return undefined;
    }
  })();
  const iter = hub.commitIter({
    repo,
    ...common,
    operations,
    title: input.commitTitle ?? `Upload SPRINT model (${changed.length} file(s))`,
    useXet: false,
    ...(signal ? { abortSignal: signal } : {}),
  });
  let next = await iter.next();
  while (!next.done) {
    const ev = next.value;
    heartbeat(
      ev.event === 'phase'
        ? { phase: ev.phase }
        : { phase: 'upload', path: ev.path, progress: ev.progress, state: ev.state },
    );
    next = await iter.next();
  }
  return {
    ...base,
    committed: true,
    commitOid: next.value?.commit.oid,
    uploaded: changed.map((f) => f.path),
  };
}

export function createPublishActivities(deps: PublishDeps) {
  async function publishModel(input: PublishInput): Promise<PublishResult> {
    if (!/^[\w.-]+\/[\w.-]+$/.test(input.repo)) {
      throw ApplicationFailure.nonRetryable(
        `repo "${input.repo}" is not of the form namespace/name`,
        ErrorType.BadPublishInput,
      );
    }
    const files = collectFiles(input.modelDir, input.repo, input.card);
    const token = (deps.env ?? process.env)[deps.hub.tokenEnv];
    return token ? publishHub(deps, token, input, files) : publishLocal(deps, input, files);
  }
  return { publishModel };
}

export type PublishActivities = ReturnType<typeof createPublishActivities>;
