import type { SprintConfig } from '../../config';
import { priorityCommands } from '../../core/priority/classes';
import { priorityDynamicConfig } from '../../infra/temporal/priority-dynamic-config';
import type { Check } from './status';

/*
 * `sprint status` lines on priority and fairness (docs/priority.md): what the config asks of each
 * model call, and whether the server acts on it. The server does not report its dynamic config, so
 * the second line reads what the project set: the server `sprint dev` starts carries the keys of
 * infra/temporal/priority-dynamic-config.ts; another server is judged by its version.
 */

/** [major, minor] of a server version like `1.32.0`, or undefined when unreadable. */
function versionOf(text: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (v: [number, number], major: number, minor: number) =>
  v[0] > major || (v[0] === major && v[1] >= minor);

/** Whether `address` is the server `sprint dev` starts itself (config temporal.embedded). */
function isEmbedded(config: SprintConfig): boolean {
  const e = config.temporal.embedded;
  if (!e.enabled) return false;
  const [host, port] = [
    config.temporal.address.replace(/:\d+$/, ''),
    /:(\d+)$/.exec(config.temporal.address)?.[1],
  ];
  const local = ['localhost', '127.0.0.1', e.ip];
  return Number(port) === e.port && local.includes(host);
}

export function priorityChecks(config: SprintConfig, serverVersion: string): Check[] {
  const p = config.priority;
  if (!p.enabled)
    return [
      { what: 'priority', ok: true, detail: 'off (priority.enabled false): model calls in arrival order' },
    ];
  const byClass = (cls: 'interactive' | 'batch') =>
    `${cls} ${p.classes[cls].primaryKey}/${p.classes[cls].deferredKey} (${priorityCommands.filter((c) => p.commands[c] === cls).join(', ') || 'no command'})`;
  const engines = Object.keys(p.engines);
  const checks: Check[] = [
    {
      what: 'priority',
      ok: true,
      detail:
        `keys ${byClass('interactive')}, ${byClass('batch')}; fairness by API key id or run id; ` +
        `engines told: ${engines.length ? engines.join(', ') : 'none (priority.engines)'}`,
    },
  ];
  const keys = Object.keys(priorityDynamicConfig).join(' and ');
  const v = versionOf(serverVersion);
  if (isEmbedded(config)) {
    checks.push({
      what: 'priority on the server',
      ok: true,
      detail: `active where sprint dev started the server (it sets ${keys}); server ${serverVersion || '?'}`,
    });
  } else if (v && !atLeast(v, 1, 28)) {
    checks.push({
      what: 'priority on the server',
      ok: false,
      detail: `server ${serverVersion} has no task queue priority (Temporal Server 1.28 or later; fairness 1.29)`,
    });
  } else {
    const fairness =
      v && !atLeast(v, 1, 29)
        ? 'fairness needs server 1.29 or later'
        : 'fairness needs matching.enableFairness';
    checks.push({
      what: 'priority on the server',
      ok: true,
      detail:
        `server ${serverVersion || '?'}: priority needs matching.useNewMatcher (default from 1.30), ${fairness}; ` +
        'the cluster files set both (infra/temporal/cluster, infra/compose, infra/k8s/temporal)',
    });
  }
  return checks;
}
