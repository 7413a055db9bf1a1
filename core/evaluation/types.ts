import type { ArtifactRef } from '../artifact-ref';
import type { BenchmarkName } from '../benchmarks';
import type { MethodName, MethodTokens } from '../method-result';

/** One graded problem of an evaluation run: a line of results.jsonl. */
export interface ProblemRecord {
  evalId: string;
  benchmark: BenchmarkName;
  method: MethodName;
  problemId: string;
  correct: boolean;
  /** The answer read from the output (null: none found). */
  extracted: string | null;
  reference: string;
  reason?: string;
  tokens: MethodTokens;
  rounds: number;
  promptsPerRound: number[];
  wallMs: number;
  transcript?: ArtifactRef;
  /** The method's run failed; the problem counts as wrong. */
  error?: string;
  /** How tokens were counted: engine usage, or an approximation (transcripts scored offline). */
  tokenSource?: 'engine' | 'approx-chars';
  meta?: Record<string, string | number>;
}
