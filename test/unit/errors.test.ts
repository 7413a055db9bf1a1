import { ErrorType } from '../../core/errors';

describe('error type names', () => {
  it('are distinct, so a nonRetryableErrorTypes entry never matches a failure of another kind', () => {
    const values = Object.values(ErrorType);
    expect(new Set(values).size).toBe(values.length);
  });

  it('keep the names recorded histories and clients match on', () => {
    // These strings are in histories and in tests of other repos' clients: a rename must be deliberate.
    expect(ErrorType.ModelCall).toBe('ModelCallError');
    expect(ErrorType.TrainingJobFailed).toBe('TrainingJobFailed');
    expect(ErrorType.CurationInput).toBe('CurationInputError');
  });
});
