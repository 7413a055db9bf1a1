/*
 * Trace input for curation: JSONL files (local, or dataset files on the Hugging Face Hub through
 * @huggingface/hub). A bad line is rejected with its line number and reason; the rest goes on.
 *
 * Accepted line shapes (one JSON object per line):
 *   - { id?, question | problem | prompt, trace | reasoning | thought | thinking | generation,
 *       solution? | response?, answer? }
 *   - { id?, conversations | messages: [{ from | role: user|human, value | content },
 *                                       { from | role: assistant|gpt, value | content }] }
 * A trace or assistant turn may wrap the thought in <think>...</think> or
 * <|begin_of_thought|>...<|end_of_thought|> (then the rest, or <|begin_of_solution|>...
 * <|end_of_solution|>, is the solution). Without a solution, `answer` becomes `\boxed{answer}`.
 */
import * as fsp from 'node:fs/promises';
import { downloadBlob, listRepoFiles, type HubConnection } from '../hub';
import {
  isParquet,
  jsonlRows,
  parquetBytesRows,
  readTraceRows,
  type ColumnMap,
  type TraceRow,
} from './trace-rows';

export interface TraceRecord {
  id: string;
  question: string;
  trace: string;
  solution: string;
  answer?: string;
}

export interface RejectedLine {
  /** 1-based line number in the input file. */
  line: number;
  reason: string;
  /** The start of the line, for the rejects file. */
  excerpt: string;
}

export interface ParsedTraces {
  traces: TraceRecord[];
  rejects: RejectedLine[];
  /** Non-empty lines read (kept + rejected). */
  lines: number;
}

class LineError extends Error {}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function firstString(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = str(obj[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Splits an R1-style assistant text into thought and solution. */
export function splitThought(text: string): { thought: string; rest: string } | undefined {
  const think = /<think>([\s\S]*?)(<\/think>|$)/.exec(text);
  if (think) {
    return { thought: (think[1] ?? '').trim(), rest: text.slice(think.index + think[0].length).trim() };
  }
  const bot = /<\|begin_of_thought\|>([\s\S]*?)(<\|end_of_thought\|>|$)/.exec(text);
  if (bot) {
    const after = text.slice(bot.index + bot[0].length);
    const sol = /<\|begin_of_solution\|>([\s\S]*?)(<\|end_of_solution\|>|$)/.exec(after);
    return { thought: (bot[1] ?? '').trim(), rest: (sol ? (sol[1] ?? '') : after).trim() };
  }
  // A bare closing </think> (chat templates that put <think> in the prompt).
  const close = text.indexOf('</think>');
  if (close >= 0) return { thought: text.slice(0, close).trim(), rest: text.slice(close + 8).trim() };
  return undefined;
}

function turns(obj: Record<string, unknown>): { question?: string; assistant?: string } | undefined {
  const list = obj.conversations ?? obj.messages;
  if (!Array.isArray(list)) return undefined;
  let question: string | undefined;
  let assistant: string | undefined;
  for (const t of list as unknown[]) {
    if (!t || typeof t !== 'object') continue;
    const turn = t as Record<string, unknown>;
    const who = (str(turn.from) ?? str(turn.role) ?? '').toLowerCase();
    const text = str(turn.value) ?? str(turn.content);
    if (!text) continue;
    if ((who === 'user' || who === 'human') && question === undefined) question = text;
    if (who === 'assistant' || who === 'gpt') assistant = text;
  }
  return { question, assistant };
}

/** One JSON object -> a trace record; throws LineError with the reason. */
export function toTraceRecord(obj: unknown, fallbackId: string): TraceRecord {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new LineError('not a JSON object');
  const o = obj as Record<string, unknown>;
  const conv = turns(o);
  let question = firstString(o, ['question', 'problem', 'prompt', 'input']) ?? conv?.question;
  let trace = firstString(o, [
    'trace',
    'reasoning',
    'thought',
    'thinking',
    'generation',
    'reasoning_content',
  ]);
  let solution = firstString(o, ['solution', 'response', 'output']);
  const answerRaw = o.answer;
  const answer = typeof answerRaw === 'number' ? String(answerRaw) : str(answerRaw);
  if (!trace && conv?.assistant) {
    const split = splitThought(conv.assistant);
    if (!split) throw new LineError('assistant turn has no <think> or <|begin_of_thought|> section');
    trace = split.thought;
    solution = solution ?? str(split.rest);
  } else if (trace) {
    const split = splitThought(trace);
    if (split) {
      trace = split.thought;
      solution = solution ?? str(split.rest);
    }
  }
  if (question && /^<\|?user\|?>/.test(question)) question = question.replace(/^<\|?user\|?>\s*/, '');
  if (!question) throw new LineError('no question (expected question, problem, prompt or a user turn)');
  if (!trace || !trace.trim())
    throw new LineError(
      'no reasoning trace (expected trace, reasoning, generation or an assistant turn with <think>)',
    );
  if (!solution) {
    if (answer) solution = `The final answer is \\boxed{${answer}}.`;
    else throw new LineError('no solution or answer');
  }
  const id = str(o.id) ?? (typeof o.id === 'number' ? String(o.id) : undefined) ?? fallbackId;
  return {
    id,
    question: question.trim(),
    trace: trace.trim(),
    solution: solution.trim(),
    ...(answer ? { answer } : {}),
  };
}

/** Parses JSONL text; bad lines become rejects with their line number and reason. */
export function parseTracesJsonl(text: string, opts: { limit?: number; source?: string } = {}): ParsedTraces {
  return parseTraceRows(jsonlRows(text), opts);
}

/** Rows (JSONL lines or Parquet rows) -> traces; a bad row becomes a reject naming its line or row. */
export function parseTraceRows(rows: TraceRow[], opts: { limit?: number } = {}): ParsedTraces {
  const traces: TraceRecord[] = [];
  const rejects: RejectedLine[] = [];
  const ids = new Set<string>();
  let lines = 0;
  for (const row of rows) {
    if (opts.limit !== undefined && traces.length >= opts.limit) break;
    lines += 1;
    const { line: lineNo, excerpt } = row;
    // Parquet rows are named by row (counted from 0); JSONL rows by their line number.
    const prefix = row.where.startsWith('row') ? `${row.where}: ` : '';
    if (row.error !== undefined) {
      rejects.push({ line: lineNo, reason: prefix + row.error, excerpt });
      continue;
    }
    try {
      const rec = toTraceRecord(row.value, `line-${lineNo}`);
      // Ids name artifact keys: keep them simple; other ids are replaced by a safe one.
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(rec.id)) rec.id = `line-${lineNo}`;
      if (ids.has(rec.id)) throw new LineError(`duplicate id "${rec.id}"`);
      ids.add(rec.id);
      traces.push(rec);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      rejects.push({ line: lineNo, reason: prefix + err.message, excerpt });
    }
  }
  return { traces, rejects, lines };
}

export async function loadTracesFile(
  file: string,
  opts: { limit?: number; columns?: ColumnMap } = {},
): Promise<ParsedTraces> {
  if (isParquet(file) || opts.columns)
    return parseTraceRows((await readTraceRows(file, opts.columns)).rows, opts);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read traces file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseTracesJsonl(text, opts);
}

export interface HubDatasetSource {
  /** `owner/name` of a dataset repo. */
  repo: string;
  /** File path in the repo, or a folder: every `.jsonl` under it, in path order. */
  path?: string;
  revision?: string;
  hubUrl?: string;
  accessToken?: string;
  fetch?: typeof fetch;
  /** Column mapping for rows that are not in a standard shape (see io/curation/trace-rows.ts). */
  columns?: ColumnMap;
}

function connectionOf(src: HubDatasetSource): HubConnection {
  return {
    hubUrl: src.hubUrl ?? 'https://huggingface.co',
    ...(src.accessToken ? { accessToken: src.accessToken } : {}),
    ...(src.fetch ? { fetch: src.fetch } : {}),
  };
}

const DATA_FILE = /\.(jsonl|parquet)$/i;

/** Lists the JSONL and Parquet files of a Hub dataset (under `path` when given). */
export async function listHubJsonl(src: HubDatasetSource): Promise<string[]> {
  const files = await listRepoFiles(
    connectionOf(src),
    { type: 'dataset', name: src.repo },
    {
      ...(src.path ? { folder: src.path } : {}),
      ...(src.revision ? { revision: src.revision } : {}),
    },
  );
  return files.filter((f) => DATA_FILE.test(f)).sort();
}

/** Downloads JSONL and Parquet dataset files from the Hub and parses them like a local file (line or row numbers per file). */
export async function loadHubTraces(
  src: HubDatasetSource,
  opts: { limit?: number } = {},
): Promise<ParsedTraces & { files: string[] }> {
  const files = src.path && DATA_FILE.test(src.path) ? [src.path] : await listHubJsonl(src);
  if (!files.length)
    throw new Error(
      `dataset ${src.repo} has no .jsonl or .parquet files${src.path ? ` under ${src.path}` : ''}`,
    );
  const result: ParsedTraces & { files: string[] } = { traces: [], rejects: [], lines: 0, files };
  for (const file of files) {
    const remaining = opts.limit !== undefined ? opts.limit - result.traces.length : undefined;
    if (remaining !== undefined && remaining <= 0) break;
    const blob = await downloadBlob(connectionOf(src), {
      repo: { type: 'dataset', name: src.repo },
      path: file,
      ...(src.revision ? { revision: src.revision } : {}),
    });
    const limit = remaining !== undefined ? { limit: remaining } : {};
    const parsed = isParquet(file)
      ? parseTraceRows(await parquetBytesRows(await blob.arrayBuffer(), file, src.columns), limit)
      : parseTraceRows(jsonlRows(await blob.text(), src.columns), limit);
    // Ids must be unique across files: prefix fallback ids with the file name.
    for (const t of parsed.traces) {
      if (t.id.startsWith('line-') && files.length > 1)
        t.id = `${file.replace(/[^A-Za-z0-9._-]/g, '_')}-${t.id}`;
    }
    result.traces.push(...parsed.traces);
    result.rejects.push(...parsed.rejects.map((r) => ({ ...r, reason: `${file}: ${r.reason}` })));
    result.lines += parsed.lines;
  }
  return result;
}
