export * from './load';
export * from './schema';
export * from './queues';
export * from './session-input';
export * from './deployment';
export * from './prompt-files';
export * from './run-priority';
