import * as fs from 'node:fs';
import * as vm from 'node:vm';
import * as ts from 'typescript';
import { workflowPreloadModulesFor, workflowStackTraces } from '../../workers/bundle-options';

describe('workflow bundle preloads (issue 28)', () => {
  it('turns workflow stack traces off unless SPRINT_WORKFLOW_STACK_TRACES=1', () => {
    const noStacks = require.resolve('../../workflows/preload-no-stacks');
    const preload = require.resolve('../../workflows/preload');
    expect(workflowStackTraces({})).toBe(false);
    expect(workflowPreloadModulesFor({})).toEqual([preload, noStacks]);
    expect(workflowPreloadModulesFor({ SPRINT_WORKFLOW_STACK_TRACES: '0' })).toEqual([preload, noStacks]);
    expect(workflowStackTraces({ SPRINT_WORKFLOW_STACK_TRACES: '1' })).toBe(true);
    expect(workflowPreloadModulesFor({ SPRINT_WORKFLOW_STACK_TRACES: '1' })).toEqual([preload]);
  });

  it('the no-stacks preload sets the Error of the context it runs in, and nothing outside it', () => {
    const before = Error.stackTraceLimit;
    const exports: { workflowStackFrames?: number } = {};
    const context = vm.createContext({ exports });
    // The module compiled as the bundle runs it, in a V8 context of its own (as the worker's sandbox).
    const source = fs.readFileSync(require.resolve('../../workflows/preload-no-stacks'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    vm.runInContext(outputText, context);
    expect(exports.workflowStackFrames).toBe(0);
    expect(vm.runInContext('Error.stackTraceLimit', context)).toBe(0);
    expect(vm.runInContext('new Error("x").stack', context)).toBe('Error: x');
    expect(Error.stackTraceLimit).toBe(before);
  });
});
