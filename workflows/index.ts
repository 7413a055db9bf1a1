// Every workflow the control worker runs. Workflow code imports only activity *types*.
export { completionWorkflow } from './completion';
export { probeWorkflow } from './probe';
export { curationWorkflow } from './curation';
export { trainingWorkflow } from './training';
export { publishWorkflow } from './publish';
export { sotWorkflow } from './sot';
export { scWorkflow } from './self-consistency';
export { evaluationWorkflow } from './evaluation';
export { sessionWorkflow } from './session';
export { sequentialWorkflow } from './sequential';
export { pipelineWorkflow } from './pipeline';

// Versioning behaviour of each type (PINNED sessions, AUTO_UPGRADE long runs).
import './versioning';
