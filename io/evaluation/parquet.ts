/*
 * Benchmark files in Parquet, the format the Hub serves datasets in (and converts every dataset to).
 * Read with hyparquet: pure JavaScript, no native build, snappy built in; a well-kept reader rather
 * than a hand-written one. Rows come back as plain JSON-like records for core/benchmarks.
 */
import { parquetReadObjects } from 'hyparquet';

/** An INT64 column value as a number when it is exact, else as its decimal text. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value;
}

/** Every row of a Parquet file; `source` names the file in errors. */
export async function readParquetRows(
  bytes: ArrayBuffer,
  source: string,
): Promise<{ row: Record<string, unknown>; where: string }[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: bytes });
  } catch (err) {
    throw new Error(`cannot read Parquet file ${source}: ${(err as Error).message}`);
  }
  return rows.map((row, i) => ({
    row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])),
    where: `${source}:row ${i + 1}`,
  }));
}
