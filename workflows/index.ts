// Every workflow the control worker runs. Workflow code imports only activity *types*.
export { completionWorkflow } from './completion';
export { probeWorkflow } from './probe';
export { trainingWorkflow } from './training';
export { publishWorkflow } from './publish';
