import type { SprintConfig } from '../config';
import { writeConfigFile } from '../test/helpers/config';
import { spawnWorkerProcess, waitForOutput } from '../test/helpers/workers';

/**
 * The bench's llm worker as it is deployed: `sprint worker llm` for the pool's one replica, in a
 * process of its own, its SDK metrics on `metricsPort` (for the bench's metrics table).
 */
export async function startLlmWorkerProcess(config: SprintConfig, metricsPort: number) {
  const child = spawnWorkerProcess(writeConfigFile(config), 'llm', [
    '--pool',
    'local',
    '--replica',
    'r0',
    '--metrics-port',
    String(metricsPort),
  ]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    waitForOutput(child, /polling/),
    exited.then((code) => {
      throw new Error(`sprint worker llm exited (${code}) before it polled:\n${child.output()}`);
    }),
  ]);
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
