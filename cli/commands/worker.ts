import type { Command } from 'commander';
import { workerRoles } from '../../workers/roles';
import { lazyAction } from '../lazy';
import { metricsPortHelp } from '../metrics-port-flag';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run the workers of one role against the configured Temporal server')
    .argument('<role>', `one of: ${workerRoles.join(', ')}`)
    .option('--pool <name>', 'llm role: the model pool to serve (default: every pool)')
    .option(
      '--replica <name>',
      'llm role: the replica of the pool this worker fronts (default: every replica)',
    )
    .option('--metrics-port <port>', metricsPortHelp('worker', 'off'))
    .action(lazyAction('worker', 'runWorker'));
}
