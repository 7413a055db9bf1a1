/*
 * Parquet rows for curation input (Hub datasets of R1 traces are mostly Parquet, e.g.
 * open-r1/OpenR1-Math-220k). hyparquet: a maintained, dependency-free Parquet reader in pure
 * JavaScript (snappy built in), so no native build or Python is needed to read a dataset.
 * It is an ES module; Node 20.19+ loads it through require().
 */
import * as fsp from 'node:fs/promises';
import { parquetReadObjects } from 'hyparquet';

/** JSON-safe values: int64 columns arrive as BigInt; ids and counts fit a Number, larger ones become strings. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonSafe(v)]),
    );
  }
  return value;
}

/** Every row of a Parquet file as a plain object (column name -> value). */
export async function readParquetRows(data: ArrayBuffer, where: string): Promise<Record<string, unknown>[]> {
  try {
    const rows = await parquetReadObjects({ file: data });
    return rows.map((r) => jsonSafe(r) as Record<string, unknown>);
  } catch (err) {
    throw new Error(`${where}: cannot read as Parquet (${(err as Error).message})`);
  }
}

export async function readParquetFile(file: string): Promise<Record<string, unknown>[]> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return readParquetRows(data, file);
}
