import type { Command } from 'commander';
import { firstStopSignal, workerRoles, type WorkerRole } from '../../workers/create';
import { readConfig, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { startInProcessWorkers } from '../in-process';

/** `sprint worker <role>`: the workers of one role, until a stop signal. */
export async function runWorker(
  role: string,
  opts: { pool?: string; replica?: string },
  cmd: Command,
): Promise<void> {
  if (!(workerRoles as readonly string[]).includes(role)) {
    throw new CliError(`unknown worker role "${role}" (one of: ${workerRoles.join(', ')})`, ExitCode.usage);
  }
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  const log = (line: string) => console.log(`sprint worker ${role}: ${line}`);
  const stop = firstStopSignal(log);
  const workers = await startInProcessWorkers(
    config,
    [{ role: role as WorkerRole, pool: opts.pool, replica: opts.replica }],
    { until: stop },
  );
  log(`polling ${workers.queues.join(', ')}`);
  await workers.done;
}
