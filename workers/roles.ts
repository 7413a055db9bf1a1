/** Worker roles (light module: the CLI's command list names them without loading the SDK). */
export const workerRoles = ['control', 'llm', 'curation', 'training', 'all'] as const;
export type WorkerRole = (typeof workerRoles)[number];
