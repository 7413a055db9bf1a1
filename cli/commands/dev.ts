import type { Command } from 'commander';
import { lazyAction } from '../lazy';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'Run the embedded stack: Temporal dev server (SQLite under .sprint/, Web UI on 8233) and all workers',
    )
    .option('--server-only', 'start (or attach to) the server, but no workers')
    .action(lazyAction('dev', 'runDev'));
}
