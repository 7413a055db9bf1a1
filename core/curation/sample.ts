/*
 * One extracted trace -> its training samples, in the configured layout, with the length guard.
 * Pure. Shared by the curation activity and `sprint curate import`.
 */
import { pack, PackingError, type Component, type Dag, type PackingOptions } from '../packing';
import { packReleased } from '../packing/released';
import { releasedRecord } from './released-render';
import { rftRecord, sprintRecord, type RenderOptions, type TrainingRecord } from './render';
import type { SampleFormat } from './names';
import { TOO_LONG } from './report';

export type { SampleFormat } from './names';

export interface SampleSettings extends PackingOptions {
  format: SampleFormat;
  /** Samples over this many estimated tokens (prompt + completion) are dropped. */
  maxSampleTokens: number;
  system?: string | undefined;
  rftSystem?: string | undefined;
  promptTemplate?: string | undefined;
}

export interface TraceText {
  id: string;
  question: string;
  trace: string;
  solution: string;
}

export interface SampleOutcome {
  status: 'kept' | 'rejected' | 'failed';
  reason?: string;
  detail?: string;
  ratio: number;
  stages: number;
  components: number;
  executing: number;
  stageComponents?: number[][];
  /** Accepted shapes worth knowing (components outside the DAG, parents after children). */
  problems: string[];
  sprint?: TrainingRecord;
  rft?: TrainingRecord;
}

/**
 * Token estimate when the target tokenizer is not at hand: ceil(characters / 3.2). R1-Distill and
 * Qwen tokenizers average about 3.5-4 characters a token on English math text; 3.2 overestimates,
 * so the guard errs toward dropping a sample rather than letting the trainer see an over-long one.
 */
export function estimateSampleTokens(text: string): number {
  return Math.ceil(text.length / 3.2);
}

export function buildSamples(
  trace: TraceText,
  components: Component[],
  dag: Dag,
  settings: SampleSettings,
): SampleOutcome {
  const renderOpts: RenderOptions = {
    ...(settings.system ? { system: settings.system } : {}),
    ...(settings.rftSystem ? { rftSystem: settings.rftSystem } : {}),
    ...(settings.promptTemplate ? { promptTemplate: settings.promptTemplate } : {}),
  };
  let base: Omit<SampleOutcome, 'status'>;
  let kept: boolean;
  let reason: string | undefined;
  let sprint: TrainingRecord | undefined;
  try {
    if (settings.format === 'released') {
      const packed = packReleased(components, dag, settings);
      base = {
        ratio: packed.ratio,
        stages: packed.stages.length,
        components: components.length,
        executing: packed.executingComponents,
        stageComponents: packed.stages.map((s) => s.componentIds),
        problems: [
          ...(packed.excluded.length
            ? [`components absent from the DAG take no part: ${packed.excluded.join(', ')}`]
            : []),
          ...packed.problems,
        ],
      };
      ({ kept, reason } = packed);
      if (kept) sprint = releasedRecord(trace.id, trace.question, packed, trace.solution, renderOpts);
    } else {
      const packed = pack(components, dag, settings);
      base = {
        ratio: packed.ratio,
        stages: packed.stages.length,
        components: components.length,
        executing: packed.executingComponents,
        stageComponents: packed.stages.map((s) => s.componentIds),
        problems: [],
      };
      ({ kept, reason } = packed);
      if (kept) sprint = sprintRecord(trace.id, trace.question, packed.stages, trace.solution, renderOpts);
    }
  } catch (err) {
    if (!(err instanceof PackingError)) throw err;
    return {
      status: 'failed',
      reason: `invalid-dag:${err.code}`,
      detail: err.message,
      ratio: 0,
      stages: 0,
      components: components.length,
      executing: 0,
      problems: [],
    };
  }
  if (!kept || !sprint) return { ...base, status: 'rejected', ...(reason ? { reason } : {}) };
  const tokens = estimateSampleTokens(sprint.prompt + sprint.completion);
  if (tokens > settings.maxSampleTokens) {
    return {
      ...base,
      status: 'rejected',
      reason: TOO_LONG,
      detail: `sample is about ${tokens} tokens, over the max length ${settings.maxSampleTokens}: dropped, not truncated`,
    };
  }
  const rft = rftRecord(trace.id, trace.question, trace.trace, trace.solution, renderOpts);
  return { ...base, status: 'kept', sprint, rft };
}
