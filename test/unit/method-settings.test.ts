import { ApplicationFailure } from '@temporalio/common';
import { parseConfig } from '../../config/load';
import { scSettingsSchema, sotSettingsSchema } from '../../config/schema/methods';
import { ErrorType } from '../../core/errors';
import { DEFAULT_PROMPT_TEMPLATE } from '../../core/methods/baselines';
import { parseMethodSettings } from '../../workflows/baseline-common';

describe('baseline method settings', () => {
  it('fill in the documented defaults (self-consistency: 20 samples as in the paper)', () => {
    expect(sotSettingsSchema.parse({})).toEqual({
      maxPoints: 10,
      skeletonMaxTokens: 1000,
      pointMaxTokens: 2000,
      joinMaxTokens: 4000,
      answerKind: 'math',
      temperature: 0.6,
      promptTemplate: DEFAULT_PROMPT_TEMPLATE,
      callTimeoutMs: 600_000,
    });
    expect(scSettingsSchema.parse({ samples: 3 })).toMatchObject({ samples: 3, maxTokens: 8000, seed: 0 });
  });

  it('accept what `sprint eval` sends: the config section plus temperature and answer kind', () => {
    const ev = parseConfig({}).evaluation;
    expect(() =>
      sotSettingsSchema.parse({ ...ev.sot, temperature: ev.temperature, answerKind: 'choice' }),
    ).not.toThrow();
    expect(() =>
      scSettingsSchema.parse({ ...ev.sc, temperature: ev.temperature, answerKind: 'countdown' }),
    ).not.toThrow();
  });

  it('fail for good on a bad or unknown field, naming the method and the field', () => {
    const failure = (settings: unknown) => {
      try {
        parseMethodSettings('sc', scSettingsSchema, settings);
      } catch (err) {
        return err as ApplicationFailure;
      }
      throw new Error('expected a failure');
    };
    const template = failure({ promptTemplate: 'no placeholder' });
    expect(template).toBeInstanceOf(ApplicationFailure);
    expect(template.type).toBe(ErrorType.BadMethodSettings);
    expect(template.nonRetryable).toBe(true);
    expect(template.message).toBe(
      'sc settings: promptTemplate: must contain {question} (got "no placeholder")',
    );
    expect(failure({ samples: 2.5 }).message).toBe('sc settings: samples: expected int, got 2.5');
    expect(failure({ answerKind: 'essay' }).message).toMatch(
      /^sc settings: answerKind: .*"math".*\(got "essay"\)$/,
    );
    expect(failure({ sampels: 3 }).message).toBe('sc settings: (top level): unknown field(s) "sampels"');
  });
});
