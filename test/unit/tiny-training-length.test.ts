import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../config';
import { trainInputFromOptions } from '../../cli/actions/train';

describe('sprint train --tiny: the sequence length', () => {
  const dataset = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-length-'));

  it('takes the length curation keeps samples under when nothing names one', () => {
    const config = parseConfig({}, 't');
    const input = trainInputFromOptions(config, { dataset, tiny: true });
    expect(input.hyperparameters?.maxLength).toBe(config.curation.maxSampleTokens);
    expect(input.hyperparameters?.maxLength).toBe(7168);
  });

  it('follows curation.maxSampleTokens', () => {
    const config = parseConfig({ curation: { maxSampleTokens: 2048 } }, 't');
    expect(trainInputFromOptions(config, { dataset, tiny: true }).hyperparameters?.maxLength).toBe(2048);
  });

  it('leaves a length the config or the command names (config/demo.yaml sets 704)', () => {
    const config = parseConfig({ training: { hyperparameters: { maxLength: 512 } } }, 't');
    expect(trainInputFromOptions(config, { dataset, tiny: true }).hyperparameters?.maxLength).toBeUndefined();
    const flagged = trainInputFromOptions(parseConfig({}, 't'), { dataset, tiny: true, maxLength: '1024' });
    expect(flagged.hyperparameters?.maxLength).toBe(1024);
  });

  it('does not touch a run of a real base model', () => {
    const input = trainInputFromOptions(parseConfig({}, 't'), { dataset, model: 'org/m' });
    expect(input.hyperparameters?.maxLength).toBeUndefined();
  });
});
