import { Option, type Command } from 'commander';
import { trainingProfiles } from '../../config/schema/training-profiles';
import { launcherKinds } from '../../core/training';
import { lazyAction } from '../lazy';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'Fine-tune a model on a curated dataset (trainer job through the local, docker or kubernetes launcher)',
    )
    .requiredOption(
      '--dataset <dir>',
      'curated dataset folder (train.jsonl [+ test.jsonl], or sprint/train.jsonl)',
    )
    .addOption(new Option('--launcher <kind>', 'default: config training.launcher').choices(launcherKinds))
    .option('--tiny', 'train a tiny random Qwen2 built from a config (CPU, no download)')
    .option('--model-config <json|file>', 'Qwen2Config fields for a model built from a config (random init)')
    .option('--model <id|dir>', 'base model (default: config training.baseModel)')
    .addOption(
      new Option('--profile <name>', 'trainer recipe (infra/sft/recipes/)').choices(trainingProfiles),
    )
    .option('--epochs <n>', 'epochs (paper: 5)')
    .option('--max-steps <n>', 'stop after N optimizer steps')
    .option('--lr <x>', 'learning rate (paper: 1e-5)')
    .option('--max-length <n>', 'tokens per example')
    .option('--save-steps <n>', 'checkpoint every N steps')
    .option('--run-id <id>', 'run id (workflow id and run folder); default train-<time>')
    .option('--trainer-arg <arg...>', 'extra flags passed to the trainer as they are')
    .option('--detach', 'start the run and return')
    .option('--json', 'print the result as JSON')
    .action(lazyAction('train', 'runTrain'));
}
