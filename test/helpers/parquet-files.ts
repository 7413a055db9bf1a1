/*
 * Small Parquet files in the column layouts of the published Hub datasets (written with
 * hyparquet-writer, snappy-compressed like the Hub's own files), for the benchmark loader tests.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * `h4`: HuggingFaceH4/aime_2024 (id INT64, problem, solution, answer as text, url, year); one id is
 * beyond 2^53 to check it is kept exactly. `maxwell`: Maxwell-Jia/AIME_2024 (ID, Problem, Solution,
 * Answer INT64), its third row without a problem. `math500`: HuggingFaceH4/MATH-500 columns.
 */
export function aimeParquet(layout: 'h4' | 'maxwell' | 'math500'): Uint8Array {
  const columns =
    layout === 'h4'
      ? [
          { name: 'id', data: [60n, 61n, 9007199254740993n], type: 'INT64' as const },
          {
            name: 'problem',
            data: [
              'Every morning Aya walks 9 kilometers. How many minutes does the walk take?',
              'A second problem about a torus and a sphere.',
              'A third problem.',
            ],
            type: 'STRING' as const,
          },
          { name: 'solution', data: ['s1', 's2', 's3'], type: 'STRING' as const },
          { name: 'answer', data: ['204', '113', '25'], type: 'STRING' as const },
          { name: 'url', data: ['u1', 'u2', 'u3'], type: 'STRING' as const },
          { name: 'year', data: ['2024', '2024', '2024'], type: 'STRING' as const },
        ]
      : layout === 'maxwell'
        ? [
            { name: 'ID', data: ['2024-I-1', '2024-II-15', '2024-II-14'], type: 'STRING' as const },
            { name: 'Problem', data: ['First problem.', 'Last problem.', null], type: 'STRING' as const },
            { name: 'Solution', data: ['s1', 's2', 's3'], type: 'STRING' as const },
            { name: 'Answer', data: [204n, 25n, 7n], type: 'INT64' as const },
          ]
        : [
            { name: 'problem', data: ['What is $1+1$?'], type: 'STRING' as const },
            { name: 'solution', data: ['$1+1=2$'], type: 'STRING' as const },
            { name: 'answer', data: ['2'], type: 'STRING' as const },
            { name: 'subject', data: ['Algebra'], type: 'STRING' as const },
            { name: 'level', data: [2n], type: 'INT64' as const },
            { name: 'unique_id', data: ['test/algebra/1.json'], type: 'STRING' as const },
          ];
  return new Uint8Array(parquetWriteBuffer({ columnData: columns }));
}
