import type { Command } from 'commander';
import { connectWorker } from '../../workers/connection';
import { Runtime } from '@temporalio/worker';
import { createWorkers, firstStopSignal, runWorkers, workerLogger, workerRoles, type WorkerRole } from '../../workers/create';
import { readConfig, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Run the workers of one role against the configured Temporal server')
    .argument('<role>', `one of: ${workerRoles.join(', ')}`)
    .option('--pool <name>', 'llm role: the model pool to serve (default: every pool)')
    .option('--replica <name>', 'llm role: the replica of the pool this worker fronts (default: every replica)')
    .action(async (role: string, opts: { pool?: string; replica?: string }, cmd: Command) => {
      if (!(workerRoles as readonly string[]).includes(role)) {
        throw new CliError(`unknown worker role "${role}" (one of: ${workerRoles.join(', ')})`, ExitCode.usage);
      }
      const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
      Runtime.install({ shutdownSignals: [], logger: workerLogger() });
      const log = (line: string) => console.log(`sprint worker ${role}: ${line}`);
      const stop = firstStopSignal(log);
      let connection;
      try {
        connection = await connectWorker(config);
      } catch (err) {
        throw new CliError(`cannot reach Temporal at ${config.temporal.address}: ${(err as Error).message}`, ExitCode.unavailable);
      }
      const workers = await createWorkers(role as WorkerRole, { config, connection, pool: opts.pool, replica: opts.replica });
      log(`polling ${workers.map((w) => w.options.taskQueue).join(', ')}`);
      await runWorkers(workers, stop);
      await connection.close();
    });
}
