import type { Command } from 'commander';
import { configFingerprint, fingerprintOfIdentity, queuePrefix } from '../../config';
import { deploymentQueues, stalledRuns } from '../../workers/pollers';
import { backlogText, describeQueue } from '../../workers/queue-stats';
import { ModelClient } from '../../io/model-client';
import { resolveEndpoint } from '../../activities/llm';
import { searchAttributeDefinitions } from '../../workflows/search-attributes';
import { clientFor, readConfig, type GlobalOptions } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { priorityChecks } from './priority-status';

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

/**
 * A queue is healthy when someone polls it and every poller runs this config: a poller with
 * another fingerprint (or none: not sprint's, or an older release) would take this deployment's
 * tasks with other settings, which is the failure the queue prefix exists to prevent.
 */
export function queueCheck(queue: string, role: string, identities: string[], fingerprint: string): Check {
  const foreign = identities.filter((id) => fingerprintOfIdentity(id) !== fingerprint);
  const detail = `${role}: ${identities.length} worker poller(s)`;
  if (!foreign.length) return { what: `queue ${queue}`, ok: identities.length > 0, detail };
  const who = foreign.map((id) => {
    const fp = fingerprintOfIdentity(id);
    return fp ? `${id} (config ${fp})` : `${id} (no config fingerprint)`;
  });
  return {
    what: `queue ${queue}`,
    ok: false,
    detail: `${detail}; ${foreign.length} run a different config than ${fingerprint}: ${who.join(', ')}`,
  };
}

/**
 * An engine is healthy when it lists the model its pool sends in every request: vLLM and SGLang
 * answer any other name with 404, so a pool whose `model` is not the served name (vLLM serves the
 * path or Hub id it was given unless `--served-model-name` says otherwise) fails every call.
 * An engine that lists no models at all cannot be checked and is not failed for it.
 */
export function engineCheck(replica: string, baseUrl: string, model: string, served: string[]): Check {
  const what = `engine ${replica}`;
  if (!served.length)
    return { what, ok: true, detail: `${baseUrl} lists no models (pool model "${model}" not checked)` };
  if (served.includes(model)) return { what, ok: true, detail: `${baseUrl} serves ${served.join(', ')}` };
  return {
    what,
    ok: false,
    detail:
      `${baseUrl} serves ${served.join(', ')}, not the pool's model "${model}": set the pool's \`model\` to ` +
      `the served name, or serve it under that name (vLLM, SGLang: --served-model-name ${model})`,
  };
}

/**
 * `sprint status`: one check per line, or with --json the verdict `{ ok, checks: [{ what, ok,
 * detail }] }`; exits 1 when a check fails, 3 when Temporal cannot be reached.
 */
export async function runStatus(opts: { json?: boolean; engines: boolean }, cmd: Command): Promise<void> {
  const config = readConfig(cmd.optsWithGlobals<GlobalOptions>());
  let client;
  try {
    client = await clientFor(config);
  } catch (err) {
    // Scripts and probes read the verdict from stdout whatever happened, so --json always prints one.
    if (opts.json && err instanceof CliError) {
      const checks: Check[] = [{ what: 'temporal', ok: false, detail: err.message }];
      console.log(JSON.stringify({ ok: false, checks }, null, 2));
      throw new CliError(`cannot reach Temporal at ${config.temporal.address}`, err.exitCode);
    }
    throw err;
  }
  const checks: Check[] = [];
  const ns = config.temporal.namespace;
  const info = await client.workflowService.getSystemInfo({});
  checks.push({
    what: 'temporal',
    ok: true,
    detail: `${config.temporal.address} (server ${info.serverVersion || '?'})`,
  });
  checks.push(...priorityChecks(config, info.serverVersion ?? ''));
  const described = await client.workflowService.describeNamespace({ namespace: ns });
  const retentionDays = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86400;
  checks.push({ what: 'namespace', ok: true, detail: `${ns}, retention ${retentionDays.toFixed(0)} days` });
  const attrs = await client.connection.operatorService.listSearchAttributes({ namespace: ns });
  const missing = searchAttributeDefinitions.filter((d) => !(d.name in (attrs.customAttributes ?? {})));
  checks.push({
    what: 'search attributes',
    ok: missing.length === 0,
    detail: missing.length
      ? `missing: ${missing.map((m) => m.name).join(', ')}`
      : `${searchAttributeDefinitions.length} registered`,
  });
  const fingerprint = configFingerprint(config);
  checks.push({
    what: 'deployment',
    ok: true,
    detail: `config fingerprint ${fingerprint}, queue prefix "${queuePrefix(config)}"`,
  });
  for (const { queue, kind, role } of deploymentQueues(config)) {
    const state = await describeQueue(client.workflowService, ns, queue, kind);
    const check = queueCheck(queue, role, state.identities, fingerprint);
    checks.push({ ...check, detail: check.detail.replace(/poller\(s\)/, (m) => m + backlogText(state)) });
  }
  const stalled = await stalledRuns(client, config);
  for (const run of stalled)
    for (const message of run.messages)
      checks.push({ what: `run ${run.workflowId}`, ok: false, detail: message });
  if (!stalled.length)
    checks.push({ what: 'runs', ok: true, detail: 'no running task waits on a queue without pollers' });
  if (opts.engines) {
    for (const [pool, p] of Object.entries(config.models.pools)) {
      for (const r of p.replicas) {
        try {
          const models = await new ModelClient(resolveEndpoint(config, pool, r.name)).listModels();
          checks.push(engineCheck(`${pool}/${r.name}`, r.baseUrl, p.model, models));
        } catch (err) {
          checks.push({ what: `engine ${pool}/${r.name}`, ok: false, detail: (err as Error).message });
        }
      }
    }
  }
  await client.connection.close();
  if (opts.json) console.log(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2));
  else for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.what.padEnd(36)} ${c.detail}`);
  if (checks.some((c) => !c.ok)) throw new CliError('some checks failed', ExitCode.failed);
}
