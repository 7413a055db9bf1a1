import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('Print a session (finished or running) round by round')
    .argument('<workflowId>', 'the session workflow id')
    .option('--json', 'print the progress object as JSON')
    .action(lazyAction('show', 'runShow'));
}
