import { Option, type Command } from 'commander';
import { benchmarkNames } from '../../core/benchmarks/names';
import { extractorKinds } from '../../core/curation/names';
import { methodNames } from '../../core/method-result';
import { launcherKinds } from '../../core/training';
import { pipelineStages } from '../../workflows/pipeline-stages';
import { compareMethods } from '../compare-methods';
import { lazyAction } from '../lazy';

export function registerPipeline(program: Command): void {
  program
    .command('pipeline')
    .description(
      'Curate, train, publish and evaluate in one run (each stage a child workflow; re-run an --id to resume)',
    )
    .option('--id <id>', 'pipeline id (default pipeline-<time>); the same id resumes')
    .option('--traces <file>', 'input traces (JSONL) to curate')
    .option('--generate <n>', 'curate N generated Countdown traces instead')
    .addOption(new Option('--extractor <kind>', 'default: config curation.extractor').choices(extractorKinds))
    .option('--dataset <dir>', 'with --skip curate: the dataset to train on')
    .option(
      '--model <id|dir>',
      'base model to fine-tune (with --skip train: the model folder to publish/evaluate)',
    )
    .option('--tiny', 'train a tiny random Qwen2 (CPU, no download)')
    .addOption(new Option('--launcher <kind>', 'default: config training.launcher').choices(launcherKinds))
    .option('--max-steps <n>', 'cap the training steps')
    .option('--repo <ns/name>', 'Hub repo to publish to (default sprint/<id>; local mirror without a token)')
    .addOption(
      new Option('--benchmark <name>', 'benchmark to evaluate on')
        .choices(benchmarkNames)
        .default('countdown'),
    )
    .addOption(new Option('--method <m>', 'method to evaluate').choices(methodNames).default('sprint'))
    .option('--limit <n>', 'problems to evaluate')
    .option('--pool <name>', 'pool serving the trained model for the evaluation')
    .option('--out <dir>', 'folder for the dataset and the evaluation (default .sprint/pipelines/<id>)')
    .option('--skip <stage...>', `stages to skip: ${pipelineStages.join(', ')}`)
    .addOption(
      new Option(
        '--compare <method>',
        'also train the sequential control on the same traces and steps, evaluated with --method sequential',
      ).choices(compareMethods),
    )
    .option('--compare-pool <name>', 'with --compare: pool serving the control model for its evaluation')
    .option(
      '--compare-repo <ns/name>',
      'with --compare: Hub repo of the control model (default <repo>-sequential)',
    )
    .option('--json', 'print the result as JSON')
    .action(lazyAction('pipeline', 'runPipelineCommand'));
}
