/*
 * Writes a small Parquet file shaped like open-r1/OpenR1-Math-220k (problem, solution, answer,
 * uuid, generations: list<string>, correctness_math_verify: list<bool>, correctness_count: int64,
 * ...), with hyparquet-writer (a devDependency), for tests of the Parquet input path.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';

export interface R1Row {
  problem: string;
  solution: string;
  answer: string;
  uuid: string;
  generations: string[];
  correctness_math_verify: boolean[];
}

export function openR1MathParquet(rows: R1Row[]): Buffer {
  const col = <K extends keyof R1Row>(name: K) => rows.map((r) => r[name]);
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'problem', data: col('problem'), type: 'STRING' },
      { name: 'solution', data: col('solution'), type: 'STRING' },
      { name: 'answer', data: col('answer'), type: 'STRING' },
      { name: 'problem_type', data: rows.map(() => 'Algebra'), type: 'STRING' },
      { name: 'uuid', data: col('uuid'), type: 'STRING' },
      { name: 'is_reasoning_complete', data: rows.map((r) => r.generations.map(() => true)) },
      { name: 'generations', data: col('generations') },
      { name: 'correctness_math_verify', data: col('correctness_math_verify') },
      {
        name: 'correctness_count',
        data: rows.map((r) => BigInt(r.correctness_math_verify.filter(Boolean).length)),
        type: 'INT64',
      },
    ],
  });
  return Buffer.from(buf);
}
