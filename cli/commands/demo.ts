import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'SPRINT against its sequential control, offline on the embedded stack (config/demo.yaml): curate, train both, publish, evaluate on held-out problems',
    )
    .option('--traces <n>', 'Countdown traces to generate and curate (none is an evaluated problem)', '400')
    .option('--limit <n>', 'held-out Countdown problems to evaluate', '48')
    .option('--id <id>', 'pipeline id (the same id resumes a run)')
    .option('--keep-running', 'keep the server, UI and workers up after the run (Ctrl-C to stop)')
    .action(lazyAction('demo', 'runDemo'));
}
