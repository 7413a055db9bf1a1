import { Option, type Command } from 'commander';
import { extractorKinds, sampleFormats } from '../../core/curation/names';
import { columnPresetNames } from '../../io/curation/column-presets';
import { lazyAction } from '../lazy';

export function registerCurate(program: Command): void {
  const curate = program
    .command('curate')
    .description('Turn sequential reasoning traces into SPRINT training samples (dataset, stats, report)')
    .option(
      '-i, --input <file>',
      'JSONL traces: {question, trace, solution} or R1 shapes (conversations, <think>)',
    )
    .option('--hub <repo>', 'read the JSONL and Parquet files of a Hub dataset: OWNER/NAME[:PATH]')
    .option(
      '--columns <map>',
      `column mapping: a preset (${columnPresetNames.join(', ')}) or KEY=COLUMN,... with KEY question|trace|solution|answer|id|pick`,
    )
    .option('--generate <n>', 'curate N generated Countdown traces (no input file needed)')
    .option(
      '-o, --out <dir>',
      'dataset folder to write (sprint/ and rft/ train/test JSONL, stats.json, report.md)',
    )
    .addOption(
      new Option(
        '--extractor <kind>',
        'offline: no model; llm: the config roles extractor and dag (default: config curation.extractor)',
      ).choices(extractorKinds),
    )
    .option('--limit <n>', 'curate at most N traces')
    .option('--concurrency <n>', 'traces in flight at once (default: config curation.concurrency)')
    .option('--run-key <key>', 'name of the run; rerunning with the same key skips finished traces')
    .option('--dataset <name>', 'dataset name shown in the UI (search attribute SprintDataset)')
    .option(
      '--push <repo>',
      'push the dataset to this Hub dataset repo (OWNER/NAME; local mirror without a token)',
    )
    .option('--with-workers', 'run control and curation workers in this process (no `sprint dev` needed)')
    .option('--json', 'print the result object as JSON')
    .action(lazyAction('curate', 'runCurate'));

  curate
    .command('pack')
    .description('Pack one extracted trace: print its stages and parallelization ratio')
    .requiredOption('--components <file>', 'components JSON (see docs/sprint-format.md#step-extraction)')
    .requiredOption('--dag <file>', 'DAG JSON: parent map such as {"1": [], "2": [1]}')
    .option('--threshold <n>', 'short-execution threshold (b - a < n becomes plan-only)', '3')
    .option('--min-ratio <x>', 'keep when ratio >= x', '1.5')
    .option('--max-stages <n>', 'keep when stages <= n', '11')
    .option('--render', 'also print the trajectory in the SPRINT tag format')
    .addOption(
      new Option('--format <layout>', 'sample layout: released is the released SPRINT one')
        .choices(sampleFormats)
        .default('released'),
    )
    .option('--json', 'print the packing result as JSON')
    .action(lazyAction('curate', 'runCuratePack'));

  curate
    .command('import')
    .description(
      'Curate from the released SPRINT pipeline outputs (component separations + DAGs) without new extraction calls',
    )
    .requiredOption(
      '--separations <dir>',
      'folder of component_separation_<i>.txt (markdown "### Component n")',
    )
    .requiredOption('--dags <dir>', 'folder of created_dag_<i>.json (parent maps)')
    .requiredOption(
      '--traces <file>',
      'the dataset rows the extraction ran on, in order (JSONL or Parquet; row i = problem i, from 0)',
    )
    .option(
      '--keep-comments',
      'keep the extractor comments as "Observation about ..." lines (released samples have none)',
    )
    .option('--columns <map>', 'column mapping of the traces file (see `sprint curate --help`)')
    .action(lazyAction('curate-import', 'runCurateImport'));

  curate
    .command('generate')
    .description('Write generated Countdown reasoning traces (JSONL: id, question, trace, solution, answer)')
    .requiredOption('--count <n>', 'number of traces')
    .option('-o, --out <file>', 'JSONL file to write (required)')
    .option('--seed <n>', 'random seed (same seed, same traces)', '1')
    .action(lazyAction('curate', 'runCurateGenerate'));
}
