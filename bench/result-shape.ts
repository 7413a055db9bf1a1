/*
 * The shape of a bench's result file (bench/results/<bench>[.<variant>].json), written by
 * bench/results.ts and bench/trainer/results.py and read by scripts/render-benchmarks.ts.
 */
import { z } from 'zod';

/** One measured number (or a label); null where the run had nothing to measure. */
const figure = z.union([z.number(), z.string(), z.boolean(), z.null()]);
/** One row of a table of figures (say, one per executors-per-round configuration). */
const figureRow = z.record(z.string(), figure);

export const benchResultSchema = z.object({
  bench: z.string().min(1),
  variant: z.string().min(1).optional(),
  date: z.iso.datetime(),
  durationS: z.number(),
  commit: z.string().nullable(),
  machine: z.object({
    cpus: z.number().int().positive(),
    model: z.string(),
    memoryGiB: z.number(),
    os: z.string(),
    runtime: z.string(),
  }),
  load: z.object({
    loadAvgBefore: z.array(z.number()).length(3),
    loadAvgAfter: z.array(z.number()).length(3),
    loadAvg1mMean: z.number(),
    loadAvg1mMax: z.number(),
    samples: z.number().int(),
    /** Busy share of all cores over the run (the bench's own work included); null where unknown. */
    cpuBusyShare: z.number().nullable(),
  }),
  settings: z.record(z.string(), figure),
  /** Named figures, or named tables of figures (arrays of rows). */
  figures: z.record(z.string(), z.union([figure, z.array(figureRow)])),
});

export type BenchResult = z.infer<typeof benchResultSchema>;
export type Machine = BenchResult['machine'];
export type LoadSummary = BenchResult['load'];
export type Settings = BenchResult['settings'];
export type Figures = BenchResult['figures'];
export type Figure = z.infer<typeof figure>;
export type FigureRow = z.infer<typeof figureRow>;
