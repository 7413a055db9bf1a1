import type { Command } from 'commander';
import { lazyAction } from '../lazy';
import { metricsPortHelp } from '../metrics-port-flag';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the embedded stack: Temporal dev server (SQLite under .sprint/, Web UI on 8233) and all workers',
    )
    .option('--server-only', 'start (or attach to) the server, but no workers')
    .option('--metrics-port <port>', metricsPortHelp('dev', '9464'))
    .action(lazyAction('dev', 'runDev'));
}
