import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Check the Temporal server, search attributes, workers on every queue and the model engines')
    .option('--json', 'print the checks as JSON')
    .option('--no-engines', 'skip the model engine health checks')
    .action(lazyAction('status', 'runStatus'));
}
