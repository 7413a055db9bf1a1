/*
 * Rows of a trace dataset (JSONL or Parquet) and the column mapping of the common R1 trace sets.
 *
 * A column map names which columns hold the question, the trace, the solution, the answer and the
 * id. When the trace column holds a list (several generations per problem, as in
 * open-r1/OpenR1-Math-220k), `pick` names a list-of-booleans column of the same length: the first
 * generation marked true is used (without `pick`, the first generation). Mapped rows become
 * `{ id, question, trace, solution, answer }` objects for io/curation/input.ts, which still splits
 * `<think>` sections and reports what is missing.
 */
import * as fsp from 'node:fs/promises';
import { COLUMN_PRESETS, type ColumnMap } from './column-presets';
import { readParquetFile, readParquetRows } from './parquet';

export { COLUMN_PRESETS, type ColumnMap } from './column-presets';

const KEYS: (keyof ColumnMap)[] = ['question', 'trace', 'solution', 'answer', 'id', 'pick'];

/** `openr1-math`, or `question=problem,trace=generations,pick=correctness_math_verify`. */
export function parseColumnMap(spec: string): ColumnMap {
  const preset = COLUMN_PRESETS[spec.trim()];
  if (preset) return preset;
  const map: ColumnMap = {};
  for (const part of spec.split(',')) {
    const [key, column] = part.split('=').map((s) => s.trim());
    if (!key || !column || !KEYS.includes(key as keyof ColumnMap))
      throw new Error(
        `--columns: "${part}" is not KEY=COLUMN with KEY one of ${KEYS.join(', ')} (or a preset: ${Object.keys(COLUMN_PRESETS).join(', ')})`,
      );
    map[key as keyof ColumnMap] = column;
  }
  return map;
}

export class RowError extends Error {}

/** Applies a column map to one row; rows of other shapes pass through unchanged. */
export function mapRow(row: unknown, map: ColumnMap | undefined): unknown {
  if (!map || !Object.keys(map).length || !row || typeof row !== 'object' || Array.isArray(row)) return row;
  const r = row as Record<string, unknown>;
  // Unmapped columns stay (the reader may still use them); mapped ones take the standard names.
  const out: Record<string, unknown> = { ...r };
  const take = (key: keyof ColumnMap): unknown => {
    const column = map[key];
    if (!column) return undefined;
    if (!(column in r)) throw new RowError(`no column "${column}" (the ${key} column)`);
    return r[column];
  };
  const question = take('question');
  let trace = take('trace');
  if (Array.isArray(trace)) {
    let k = 0;
    if (map.pick) {
      const flags = take('pick');
      if (!Array.isArray(flags)) throw new RowError(`column "${map.pick}" is not a list`);
      k = flags.findIndex((f) => f === true);
      if (k < 0) throw new RowError(`no generation is marked true in "${map.pick}"`);
    }
    trace = trace[k];
  }
  const solution = take('solution');
  const answer = take('answer');
  const id = take('id');
  for (const [k, v] of Object.entries({ question, trace, solution, answer, id }))
    if (v !== undefined && v !== null) out[k] = v;
  return out;
}

export interface TraceRow {
  /** The row as read (or mapped); undefined when it could not be read. */
  value?: unknown;
  /** Why the row could not be read or mapped. */
  error?: string;
  /** Where it is, for messages: `line 12` or `row 11 (from 0)`. */
  where: string;
  /** 1-based position: the JSONL line number, or the Parquet row index + 1. */
  line: number;
  /** The start of the raw row, for the rejects file. */
  excerpt: string;
}

function excerptOf(raw: string): string {
  return raw.length > 200 ? `${raw.slice(0, 200)}...` : raw;
}

function rowJson(row: unknown): string {
  try {
    return JSON.stringify(row) ?? String(row);
  } catch {
    return String(row);
  }
}

/** Rows of a JSONL text: one per non-empty line. */
export function jsonlRows(text: string, map?: ColumnMap): TraceRow[] {
  const rows: TraceRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    const pos = { where: `line ${i + 1}`, line: i + 1, excerpt: excerptOf(raw) };
    try {
      rows.push({ value: mapRow(JSON.parse(raw), map), ...pos });
    } catch (err) {
      const message = err instanceof SyntaxError ? `invalid JSON: ${err.message}` : (err as Error).message;
      rows.push({ error: message, ...pos });
    }
  });
  return rows;
}

/** Rows of a Parquet table, mapped; a row that does not map carries its error. */
export function tableRows(table: Record<string, unknown>[], map?: ColumnMap): TraceRow[] {
  return table.map((row, i) => {
    const pos = { where: `row ${i} (from 0)`, line: i + 1, excerpt: excerptOf(rowJson(row)) };
    try {
      return { value: mapRow(row, map), ...pos };
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      return { error: err.message, ...pos };
    }
  });
}

export const isParquet = (file: string): boolean => /\.parquet$/i.test(file);

/** Rows of a local JSONL or Parquet file (by extension). */
export async function readTraceRows(
  file: string,
  map?: ColumnMap,
): Promise<{ rows: TraceRow[]; rejects: TraceRow[] }> {
  let rows: TraceRow[];
  if (isParquet(file)) rows = tableRows(await readParquetFile(file), map);
  else {
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      throw new Error(
        `cannot read traces file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    rows = jsonlRows(text, map);
  }
  return { rows, rejects: rows.filter((r) => r.error !== undefined) };
}

/** Rows of Parquet bytes (a Hub download). */
export async function parquetBytesRows(
  data: ArrayBuffer,
  where: string,
  map?: ColumnMap,
): Promise<TraceRow[]> {
  return tableRows(await readParquetRows(data, where), map);
}
