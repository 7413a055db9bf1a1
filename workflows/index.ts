// Every workflow the control worker runs. Workflow code imports only activity *types*.
export { completionWorkflow } from './completion';
export { probeWorkflow } from './probe';
export { curationWorkflow } from './curation';
export { trainingWorkflow } from './training';
export { publishWorkflow } from './publish';
