/*
 * The label values of sprint's metrics, each from a closed set: a metric's series stay bounded
 * however many questions, keys or workflows pass through (never a question, key or workflow id).
 */

/** The role a model-call activity plays, by its type name; other activities are `other`. */
export const modelCallRoles = ['planner', 'executor', 'sequential', 'completion', 'chat'] as const;
export type ModelCallRole = (typeof modelCallRoles)[number];

const roleByActivity: Record<string, ModelCallRole> = {
  sprintPlan: 'planner',
  sprintExecute: 'executor',
  sprintSequential: 'sequential',
  complete: 'completion',
  chat: 'chat',
};

/** The model-call role of an activity type, or undefined when it makes no model call. */
export function modelCallRole(activityType: string): ModelCallRole | undefined {
  return Object.hasOwn(roleByActivity, activityType) ? roleByActivity[activityType] : undefined;
}

/** Why an engine call failed, as few kinds as an operator acts on. */
export const engineErrorKinds = [
  'timeout',
  'connection',
  'rate_limited',
  'server_error',
  'client_error',
  'cancelled',
  'other',
] as const;
export type EngineErrorKind = (typeof engineErrorKinds)[number];

/**
 * The kind of a failed model call from its message and HTTP status (io/model-client.ts words them:
 * "timed out", "cannot reach the engine", "answered 429: ...").
 */
export function engineErrorKind(message: string, status?: number): EngineErrorKind {
  const answered = status ?? Number(/answered (\d{3})/.exec(message)?.[1] ?? NaN);
  if (answered === 429) return 'rate_limited';
  if (answered >= 500) return 'server_error';
  if (answered >= 400) return 'client_error';
  if (/timed out/.test(message)) return 'timeout';
  if (/cannot reach|ECONNREFUSED|ECONNRESET|socket/i.test(message)) return 'connection';
  if (/cancel/i.test(message)) return 'cancelled';
  return 'other';
}

/** `value` when it is one of `known`, else `other`: a label never takes a value outside its set. */
export function boundedLabel(value: string | undefined, known: readonly string[]): string {
  return value !== undefined && known.includes(value) ? value : 'other';
}

/** The HTTP status as a label: the code for the few an operator tells apart, else its class. */
export function httpStatusLabel(status: number): string {
  if ([200, 400, 401, 403, 404, 409, 413, 429, 500, 503].includes(status)) return String(status);
  return `${Math.floor(status / 100)}xx`;
}

/** How a session (or any method run) ended. */
export const sessionOutcomes = ['completed', 'failed', 'cancelled'] as const;
export type SessionOutcome = (typeof sessionOutcomes)[number];

/** The workflow types whose runs are counted as sessions (one inference run of a method each). */
export const sessionWorkflowTypes = {
  sessionWorkflow: 'sprint',
  sequentialWorkflow: 'sequential',
  sotWorkflow: 'sot',
  scWorkflow: 'sc',
} as const satisfies Record<string, string>;

/** The method a workflow type runs, when it is a session; undefined for every other workflow. */
export function sessionMethodOf(workflowType: string): string | undefined {
  return Object.hasOwn(sessionWorkflowTypes, workflowType)
    ? sessionWorkflowTypes[workflowType as keyof typeof sessionWorkflowTypes]
    : undefined;
}
