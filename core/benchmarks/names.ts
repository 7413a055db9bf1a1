/** The benchmark names (own module: the CLI's option help lists them without loading the benchmarks). */
export const benchmarkNames = ['math500', 'aime2024', 'gpqa', 'countdown'] as const;
export type BenchmarkName = (typeof benchmarkNames)[number];
