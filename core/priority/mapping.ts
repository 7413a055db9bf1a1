import {
  FAIRNESS_KEY_MAX_BYTES,
  type CallRole,
  type ClassKeys,
  type PriorityClassName,
  type PriorityCommand,
} from './classes';

/*
 * From a run's class, its caller and one call's role to the Temporal Priority of that call, and
 * from there to the priority field an engine reads. Pure: the workflows call it for every model
 * call (deterministic), the CLI and the serve front door when they start a run.
 */

/**
 * A run's priority as it travels in a workflow input. No secret is in it: the fairness key names an
 * API key by its id (a prefix of the key's SHA-256, see apiKeyId), never by the key.
 */
export interface RunPriority {
  class: PriorityClassName;
  /** Temporal priority key of the run's primary calls (planner, current executors). */
  primaryKey: number;
  /** Temporal priority key of its speculative and resampled calls. */
  deferredKey: number;
  /** Whose share of the pool the run's calls count against: `key-<id>` or `<command>-<run id>`. */
  fairnessKey: string;
  fairnessWeight: number;
}

/** The Priority of one call, in the shape of Temporal's `Priority` (@temporalio/common). */
export interface CallPriority {
  priorityKey: number;
  fairnessKey: string;
  fairnessWeight: number;
}

/** The part of the config (`priority`) the mapping reads. */
export interface PriorityPolicy {
  enabled: boolean;
  classes: Record<PriorityClassName, ClassKeys>;
  commands: Record<PriorityCommand, PriorityClassName>;
  /** Per API key (by id): its class and fairness weight, each optional. */
  apiKeys: Record<string, { class?: PriorityClassName | undefined; fairnessWeight?: number | undefined }>;
}

/** Who starts a run: the command, the caller's API key id (serve) and the run's own id. */
export interface RunOrigin {
  command: PriorityCommand;
  /** The API key id (apiKeyId); absent for the CLI's own runs. */
  keyId?: string | undefined;
  /** The run's id (evaluation id, workflow id): the fairness key of a run without an API key. */
  runId: string;
  /** A class given for this run (a flag), over the key's and the command's. */
  class?: PriorityClassName | undefined;
}

/** Length of an API key id: 16 hex digits of the key's SHA-256 (64 bits: no collisions among a key list). */
export const API_KEY_ID_LENGTH = 16;

/**
 * The id of an API key, from the hex SHA-256 digest serve computes (serve/auth.ts): its first 16
 * digits, or `anonymous` for a server without keys. Not a secret: a digest prefix of a random key
 * tells nothing of it. Users find theirs with `printf %s "$KEY" | sha256sum | cut -c1-16`.
 */
export function apiKeyId(callerDigest: string): string {
  return callerDigest ? callerDigest.slice(0, API_KEY_ID_LENGTH) : 'anonymous';
}

/** Cuts a fairness key to Temporal's 64 bytes (keys are ASCII: ids, commands, run ids). */
function fairnessKeyOf(text: string): string {
  return text.length <= FAIRNESS_KEY_MAX_BYTES ? text : text.slice(0, FAIRNESS_KEY_MAX_BYTES);
}

/** A run's priority, or undefined when priority is off (calls then take the server's default). */
export function runPriority(policy: PriorityPolicy, origin: RunOrigin): RunPriority | undefined {
  if (!policy.enabled) return undefined;
  const byKey = origin.keyId !== undefined ? policy.apiKeys[origin.keyId] : undefined;
  const cls = origin.class ?? byKey?.class ?? policy.commands[origin.command];
  const keys = policy.classes[cls];
  return {
    class: cls,
    primaryKey: keys.primaryKey,
    deferredKey: keys.deferredKey,
    fairnessKey: fairnessKeyOf(
      origin.keyId !== undefined ? `key-${origin.keyId}` : `${origin.command}-${origin.runId}`,
    ),
    fairnessWeight: byKey?.fairnessWeight ?? keys.fairnessWeight,
  };
}

/** The role of a call: a retry after a discarded reply is resampled; a streamed executor speculative. */
export function callRoleOf(call: { try: number; streamed?: boolean | undefined }): CallRole {
  if (call.try > 1) return 'resampled';
  return call.streamed ? 'speculative' : 'primary';
}

/** The Temporal Priority of one call of the run (undefined: no priority, the server's default). */
export function callPriority(run: RunPriority | undefined, role: CallRole): CallPriority | undefined {
  if (!run) return undefined;
  return {
    priorityKey: role === 'primary' ? run.primaryKey : run.deferredKey,
    fairnessKey: run.fairnessKey,
    fairnessWeight: run.fairnessWeight,
  };
}

/** How an engine orders its queue by the request's `priority` field. */
export interface EngineOrder {
  /** True: lower values run first (vLLM; SGLang with --schedule-low-priority-values-first). */
  lowValuesFirst: boolean;
  /** Temporal's priority levels (keys run 1..levels). */
  levels: number;
}

/**
 * The engine's `priority` value for a call of Temporal priority key `priorityKey`: the key itself
 * where lower values run first (vLLM), mirrored (levels + 1 - key) where higher values run first
 * (SGLang's default), so the most urgent call is first either way.
 */
export function enginePriority(priorityKey: number, order: EngineOrder): number {
  return order.lowValuesFirst ? priorityKey : order.levels + 1 - priorityKey;
}
