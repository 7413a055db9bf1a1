import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { SprintConfig } from '../../config/schema';
import type { BenchmarkName } from '../../core/benchmarks';
import { graderAgreement, type GraderAgreement, type Verdict } from '../../core/evaluation/agreement';
import { matchLogFiles, type UnmatchedFile } from '../../core/evaluation/log-files';
import { accountTranscript, generatedPart, isSprintFormat } from '../../core/evaluation/transcripts';
import type { RunSummary } from '../../core/evaluation/summary';
import type { ProblemRecord } from '../../core/evaluation/types';
import { gradeOutput, referenceText } from '../../core/grading/grade';
import { finalAnswerBlock } from '../../core/grading/extract';
import { sessionMethodNames, type MethodName, type SessionMethodName } from '../../core/method-result';
import type { GraderName } from '../../core/grading/graders';
import { loadBenchmark } from './benchmarks';
import { gradeWithMathVerify, type MathVerifyItem } from './math-verify';
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
  /** Also grade with this cross-check and report its agreement with the built-in grader. */
  grader?: Exclude<GraderName, 'builtin'>;
  /** Python interpreter of the cross-check (default: the project's .venv). */
  python?: string;
}

/**
 * One scored run. A folder holding released logs of both kinds is two runs: `sprint` (the
 * planner_trajectory_ files) and `sequential` (base_model_trajectory_); files named by the id alone
 * are one run, `other`, each record's method read from its content.
 */
export interface ScoredRun {
  run: SessionMethodName | 'other';
  outDir: string;
  summary: RunSummary;
  /** Problems of the benchmark with no transcript in this run. */
  missing: number;
}

export interface ScoreResult {
  /** One per kind of file found; a single run is written to outDir itself, several to outDir/<run>. */
  runs: ScoredRun[];
  /** Files in the folder (every entry that is a file, hidden ones aside). */
  files: number;
  /** Files scored, with the problem each one belongs to. */
  matched: { file: string; problemId: string; method: MethodName }[];
  /** Files not scored, each with the reason (no id in the name, ambiguous, duplicate, not text). */
  unmatched: UnmatchedFile[];
  charsPerToken: number;
  /** The cross-check, when asked for: agreement per file (ids are file names). */
  crossCheck?: GraderAgreement;
}

/**
 * Grades and accounts transcripts produced elsewhere: one text file per problem with the problem id
 * in its name (released logs `planner_trajectory_<id>.txt` and `base_model_trajectory_<id>.txt`,
 * slashes of the id written as `_`, or the id anywhere as a whole token), in the SPRINT tag format or
 * plain sequential text. The method comes from a released-log prefix, else from the content. Token
 * counts are approximations (characters / charsPerToken) since no tokenizer is loaded. Also writes
 * `files.json` (which file is which problem, and why the others were not scored) to outDir.
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
  const byId = new Map(loaded.problems.map((p) => [p.id, p]));
  let files: string[];
  try {
    const entries = await fsp.readdir(opts.trajectoriesDir, { withFileTypes: true });
    files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    throw new Error(`cannot read the trajectories folder ${opts.trajectoriesDir}: ${(err as Error).message}`);
  }
  const match = matchLogFiles(files, [...byId.keys()]);
  const evalId =
    opts.evalId ?? `score-${path.basename(path.resolve(opts.trajectoriesDir))}`.replace(/[^\w.-]/g, '_');
  const byRun = new Map<ScoredRun['run'], ProblemRecord[]>();
  const matched: ScoreResult['matched'] = [];
  const unmatched = [...match.unmatched];
  const scoredBy = new Map<string, string>();
  const checks: { item: MathVerifyItem; builtin: Verdict }[] = [];
  for (const m of match.matched) {
    const problem = byId.get(m.problemId)!;
    const text = await fsp.readFile(path.join(opts.trajectoriesDir, m.file), 'utf8');
    const generated = generatedPart(text);
    const method: MethodName = m.method ?? (isSprintFormat(generated) ? 'sprint' : 'sequential');
    const run: ScoredRun['run'] = m.method ?? 'other';
    const key = `${run} ${problem.id}`;
    const earlier = scoredBy.get(key);
    if (earlier !== undefined) {
      unmatched.push({
        file: m.file,
        reason: `duplicate: ${earlier} is already the transcript of ${problem.id} in run ${run}`,
      });
      continue;
    }
    scoredBy.set(key, m.file);
    const account = accountTranscript(text, cpt);
    const grade = gradeOutput({ finalAnswer: finalAnswerBlock(generated), text: generated }, problem.target);
    const records = byRun.get(run) ?? [];
    byRun.set(run, records);
    records.push({
      evalId,
      benchmark: opts.benchmark,
      method,
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
    matched.push({ file: m.file, problemId: problem.id, method });
    if (problem.target.kind === 'math') {
      // the text the built-in grader read first: the final-answer block, else the whole output
      const prediction = finalAnswerBlock(generated) ?? generated;
      checks.push({
        item: { id: m.file, prediction, reference: problem.target.answer },
        builtin: { id: m.file, correct: grade.correct },
      });
    }
  }
  if (!matched.length) {
    const examples = unmatched.slice(0, 3).map((u) => `${u.file}: ${u.reason}`);
    throw new Error(
      `no transcript in ${opts.trajectoriesDir} matches a ${opts.benchmark} problem id (${files.length} files; ` +
        'names such as planner_trajectory_<id>.txt, base_model_trajectory_<id>.txt or <id>.txt, "/" as "_")' +
        (examples.length ? `; e.g. ${examples.join('; ')}` : ''),
    );
  }
  const runs: ScoredRun[] = [];
  const several = byRun.size > 1;
  const order: ScoredRun['run'][] = [...sessionMethodNames, 'other'];
  for (const run of order) {
    const records = byRun.get(run);
    if (!records) continue;
    // released SPRINT and baseline logs in one folder are two runs: each its own folder and eval id
    const outDir = several ? path.join(opts.outDir, run) : opts.outDir;
    const summary = await writeRunReport(
      outDir,
      several ? records.map((r) => ({ ...r, evalId: `${evalId}-${run}` })) : records,
      loaded.problems.map((p) => p.id),
    );
    runs.push({ run, outDir, summary, missing: loaded.problems.length - records.length });
  }
  await fsp.writeFile(
    path.join(opts.outDir, 'files.json'),
    `${JSON.stringify({ files: files.length, matched, unmatched }, null, 2)}\n`,
  );
  // after the runs are written: a cross-check that cannot run loses none of the scoring
  let crossCheck: GraderAgreement | undefined;
  if (opts.grader === 'math-verify') {
    if (checks.length !== matched.length)
      throw new Error(`--grader math-verify grades math answers; ${opts.benchmark} has none`);
    const verdicts = await gradeWithMathVerify(
      checks.map((c) => c.item),
      opts.python ? { python: opts.python } : {},
    );
    crossCheck = graderAgreement(
      'math-verify',
      checks.map((c) => c.builtin),
      verdicts,
    );
  }
  if (crossCheck) {
    await fsp.writeFile(
      path.join(opts.outDir, 'grader-agreement.json'),
      `${JSON.stringify(crossCheck, null, 2)}\n`,
    );
  }
  return {
    runs,
    files: files.length,
    matched,
    unmatched,
    charsPerToken: cpt,
    ...(crossCheck ? { crossCheck } : {}),
  };
}
