import { Option, type Command } from 'commander';
import { benchmarkNames } from '../../core/benchmarks/names';
import { graderNames } from '../../core/grading/graders';
import { methodNames } from '../../core/method-result';
import { priorityClassNames } from '../../core/priority/classes';
import { lazyAction } from '../lazy';

export function registerEval(program: Command): void {
  const ev = program
    .command('eval')
    .description(
      'Evaluate methods on MATH500, AIME 2024, GPQA-Diamond or Countdown (runs as a workflow; resumable with --id)',
    )
    .addOption(new Option('--benchmark <name>', 'the benchmark (required)').choices(benchmarkNames))
    .addOption(
      new Option('--method <name>', 'the method (required; sc = self-consistency)').choices(methodNames),
    )
    .option(
      '--endpoint <url>',
      'OpenAI-compatible base URL: an ad-hoc pool served by an llm worker in this process',
    )
    .option('--model <name>', 'model name at --endpoint (default: the first one it lists)')
    .option('--pool <name>', 'configured pool to use (default: evaluation.pool, else the planner role)')
    .option('--limit <n>', 'first N problems only')
    .option('--concurrency <n>', 'problems in flight at once (default: evaluation.concurrency)')
    .option(
      '--data <file>',
      'benchmark file (JSONL/JSON/CSV/Parquet); default the Hub file of the config (Countdown: generated)',
    )
    .option('--out <dir>', 'run folder for results.jsonl, summary.json, report.md, plots/')
    .option(
      '--id <evalId>',
      'evaluation id; give the id of an earlier run to resume it (finished problems are skipped)',
    )
    .option('--samples <n>', 'self-consistency: samples per problem (default: evaluation.sc.samples)')
    .addOption(
      new Option(
        '--priority <class>',
        'priority class of its model calls (default: priority.commands.eval)',
      ).choices(priorityClassNames),
    )
    .option('--workers', 'also run a control worker in this process (when `sprint dev` is not running)')
    .option('--json', 'print the result as JSON')
    .action(lazyAction('eval', 'runEval'));

  ev.command('compare')
    .description(
      'Paired comparison of two runs on the same problems (McNemar exact test, per-problem token ratio)',
    )
    .argument('<runA>', 'run folder (has results.jsonl)')
    .argument('<runB>', 'run folder')
    .option('--out <dir>', 'also write compare.md and compare.json here')
    .option('--json', 'print JSON')
    // --out/--json are also options of `eval` itself, where commander may put them: read both levels
    .action(lazyAction('eval', 'runEvalCompare'));

  ev.command('report')
    .description(
      'Report across runs: summaries, length buckets against the sequential run, paired comparisons, plots',
    )
    .argument('<runs...>', 'run folders')
    .option('--out <dir>', 'folder for report.md, summary.json and plots/ (required)')
    .action(lazyAction('eval', 'runEvalReport'));

  ev.command('score')
    .description(
      'Grade and account transcripts produced elsewhere (one file per problem: SPRINT tag format or plain text)',
    )
    .option(
      '--trajectories <dir>',
      'folder of transcripts, one per problem with its id in the name: planner_trajectory_<id>.txt, base_model_trajectory_<id>.txt, <id>.txt ("/" in ids as "_") (required)',
    )
    .addOption(new Option('--benchmark <name>', 'the benchmark (required)').choices(benchmarkNames))
    .option('--data <file>', 'benchmark file (JSONL/JSON/CSV/Parquet); default the Hub file of the config')
    .option('--out <dir>', 'run folder to write (default: <trajectories>-scored)')
    .option('--chars-per-token <n>', 'token approximation (default: evaluation.charsPerToken)')
    .addOption(
      new Option(
        '--grader <name>',
        'math-verify: also grade with the Python math-verify package (.venv) and report the agreement',
      )
        .choices(graderNames)
        .default('builtin'),
    )
    .option('--json', 'print the summary as JSON')
    .action(lazyAction('eval', 'runEvalScore'));
}
