import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description('Cancel a running workflow (a session stops its in-flight model calls)')
    .argument('<workflowId>', 'the workflow id')
    .option('--wait', 'wait until the workflow has closed')
    .action(lazyAction('cancel', 'runCancel'));
}
