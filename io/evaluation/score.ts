import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { SprintConfig } from '../../config/schema';
import type { BenchmarkName, BenchmarkProblem } from '../../core/benchmarks';
import { accountTranscript, isSprintFormat } from '../../core/evaluation/transcripts';
import type { RunSummary } from '../../core/evaluation/summary';
import type { ProblemRecord } from '../../core/evaluation/types';
import { gradeOutput, referenceText } from '../../core/grading/grade';
import { finalAnswerBlock } from '../../core/grading/extract';
import { loadBenchmark } from './benchmarks';
import { writeRunReport } from './report';

export interface ScoreOptions {
  trajectoriesDir: string;
  benchmark: BenchmarkName;
  dataFile?: string;
  outDir: string;
  config: SprintConfig;
  charsPerToken?: number;
  evalId?: string;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  hubUrl?: string;
}

export interface ScoreResult {
  summary: RunSummary;
  /** Files whose name matches no problem id. */
  unmatched: string[];
  /** Problems with no transcript file. */
  missing: number;
  charsPerToken: number;
}

/** Names a transcript file may carry for a problem id (`test/algebra/1.json` -> `test_algebra_1`, ...). */
export function fileKeys(id: string): string[] {
  const noExt = id.replace(/\.json$/, '');
  return [
    ...new Set([id, noExt, id.replace(/\//g, '_'), noExt.replace(/\//g, '_'), noExt.replace(/\//g, '__')]),
  ];
}

/**
 * Grades and accounts transcripts produced elsewhere: one text file per problem (`<problem id>.txt`,
 * slashes of the id written as `_`), in the SPRINT tag format or plain sequential text. Token counts
 * are approximations (characters / charsPerToken) since no tokenizer is loaded.
 */
export async function scoreTrajectories(opts: ScoreOptions): Promise<ScoreResult> {
  const cpt = opts.charsPerToken ?? opts.config.evaluation.charsPerToken;
  const loaded = await loadBenchmark({
    benchmark: opts.benchmark,
    dataFile: opts.dataFile,
    config: opts.config,
    env: opts.env,
    fetch: opts.fetch,
    hubUrl: opts.hubUrl,
  });
  const byKey = new Map<string, BenchmarkProblem>();
  for (const p of loaded.problems) for (const k of fileKeys(p.id)) byKey.set(k, p);
  let entries: string[];
  try {
    entries = (await fsp.readdir(opts.trajectoriesDir)).filter((f) => /\.(txt|md|out)$/.test(f)).sort();
  } catch (err) {
    throw new Error(`cannot read the trajectories folder ${opts.trajectoriesDir}: ${(err as Error).message}`);
  }
  const evalId =
    opts.evalId ?? `score-${path.basename(path.resolve(opts.trajectoriesDir))}`.replace(/[^\w.-]/g, '_');
  const records: ProblemRecord[] = [];
  const unmatched: string[] = [];
  for (const f of entries) {
    const stem = f.replace(/\.(txt|md|out)$/, '');
    const problem = byKey.get(stem);
    if (!problem) {
      unmatched.push(f);
      continue;
    }
    const text = await fsp.readFile(path.join(opts.trajectoriesDir, f), 'utf8');
    const account = accountTranscript(text, cpt);
    const grade = gradeOutput({ finalAnswer: finalAnswerBlock(text), text }, problem.target);
    records.push({
      evalId,
      benchmark: opts.benchmark,
      method: isSprintFormat(text) ? 'sprint' : 'sequential',
      problemId: problem.id,
      correct: grade.correct,
      extracted: grade.extracted,
      reference: referenceText(problem.target),
      ...(grade.reason ? { reason: grade.reason } : {}),
      tokens: account.tokens,
      rounds: account.rounds,
      promptsPerRound: account.promptsPerRound,
      wallMs: 0,
      tokenSource: 'approx-chars',
      ...(problem.meta ? { meta: problem.meta } : {}),
    });
  }
  if (!records.length) {
    throw new Error(
      `no transcript in ${opts.trajectoriesDir} matches a ${opts.benchmark} problem id (files are named <id>.txt, "/" as "_"; ${unmatched.length} unmatched)`,
    );
  }
  const summary = await writeRunReport(
    opts.outDir,
    records,
    loaded.problems.map((p) => p.id),
  );
  return { summary, unmatched, missing: loaded.problems.length - records.length, charsPerToken: cpt };
}
