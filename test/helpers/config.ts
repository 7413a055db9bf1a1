import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig, type SprintConfig, type SprintConfigInput } from '../../config';
import { deepMerge } from '../../config/load';

/** A config for tests: the given server, a fresh artifact root, unique queue names per test file. */
export function testConfig(address: string, over: SprintConfigInput = {}): SprintConfig {
  const tag = Math.random().toString(36).slice(2, 8);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-artifacts-'));
  // Absolute paths everywhere, as the loader makes them: a worker process that loads this config
  // from a file then has the same config fingerprint as the test.
  const base: SprintConfigInput = {
    temporal: { address, embedded: { enabled: false } },
    taskQueues: { control: `t-control-${tag}`, curation: `t-curation-${tag}`, training: `t-training-${tag}` },
    artifacts: { root },
    hub: { localMirror: path.join(root, 'hub-mirror') },
    workers: { shutdownGraceSeconds: 2 },
    // No fixed ports in tests: a test that wants a metrics endpoint gives its own (--metrics-port).
    telemetry: { metrics: { ports: { dev: false, serve: false } } },
  };
  return parseConfig(deepMerge(base, over), 'test');
}

/** Writes a config to a temp file (for worker child processes). */
export function writeConfigFile(config: SprintConfig): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-config-')), 'sprint.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * The config with a control queue of its own (`<control>-<suffix>`): workflows a child process
 * starts there run in that process's workers, not in the test's.
 */
export function withOwnControlQueue(config: SprintConfig, suffix: string): SprintConfig {
  return {
    ...config,
    taskQueues: { ...config.taskQueues, control: `${config.taskQueues.control}-${suffix}` },
  };
}
