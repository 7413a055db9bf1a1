/*
 * Not a workflow: preloaded once per worker (workers/bundle-options.ts), before the SDK freezes the
 * reusable V8 context, so it sets the sandbox's own Error for every run (workflow code cannot: the
 * frozen Error refuses the write).
 *
 * The SDK's promise hook captures and source-maps a stack trace for every promise a workflow
 * creates, for the stack-trace query; a session creates several for each model call it schedules
 * (the call, the router, the executor slot, the retry loop), so a round of 16 executors paid for
 * some hundred stack captures in the workflow task that schedules them (issue 28: a replay of
 * recorded sessions took about a quarter less CPU without them; fewer frames saved little, the
 * capture itself costs). With no frames the hook records nothing: the UI's stack-trace query
 * comes back empty and errors made in workflow code carry their message without frames. Commands
 * do not change, so histories replay alike either way. SPRINT_WORKFLOW_STACK_TRACES=1 when the
 * bundle is made keeps them (workers/bundle-options.ts).
 */
Error.stackTraceLimit = 0;

/** Read back, so the bundler keeps the module (and a test can check it ran). */
export const workflowStackFrames = Error.stackTraceLimit;
