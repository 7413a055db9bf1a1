import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole pipeline offline on the embedded stack (config/demo.yaml): curate, train, publish, evaluate',
    )
    .option('--traces <n>', 'Countdown traces to generate and curate', '200')
    .option('--limit <n>', 'Countdown problems to evaluate', '16')
    .option('--id <id>', 'pipeline id (the same id resumes a run)')
    .option('--keep-running', 'keep the server, UI and workers up after the run (Ctrl-C to stop)')
    .action(lazyAction('demo', 'runDemo'));
}
