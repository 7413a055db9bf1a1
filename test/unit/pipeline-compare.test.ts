import * as path from 'node:path';
import { loadConfig } from '../../config';
import { buildPipelineInput } from '../../cli/actions/pipeline';
import { sequentialComparisonInput } from '../../cli/actions/pipeline-compare';
import { DEMO_MODEL_CONFIG } from '../../cli/actions/demo';

const root = path.resolve(__dirname, '..', '..');

describe('sprint pipeline --compare sequential: the control pipeline', () => {
  const config = loadConfig({ file: path.join(root, 'config', 'demo.yaml'), env: {} });
  const sprint = buildPipelineInput(config, {
    id: 'demo-x',
    generate: '300',
    tiny: true,
    modelConfig: DEMO_MODEL_CONFIG,
    maxSteps: '50',
    repo: 'local/sprint-tiny-demo',
    limit: '48',
    pool: 'demo',
    out: '/tmp/runs/demo-x',
  });

  it('trains on the same curation run in sequential form, with the same training input', () => {
    const control = sequentialComparisonInput(config, sprint, { pool: 'demo-sequential' });
    expect(control.pipelineId).toBe('demo-x-sequential');
    expect(control.skip).toEqual(['curate']);
    expect(control.curate).toBeUndefined();
    expect(control.datasetDir).toBe(path.join('/tmp/runs/demo-x/dataset', 'rft'));
    expect(control.train).toEqual(sprint.train);
    expect(control.train?.hyperparameters).toMatchObject({ maxSteps: 50 });
    expect(control.publish).toMatchObject({ repo: 'local/sprint-tiny-demo-sequential' });
  });

  it('evaluates with --method sequential on the same benchmark, problems and settings, on its own pool', () => {
    const control = sequentialComparisonInput(config, sprint, {
      pool: 'demo-sequential',
      repo: 'me/control',
    });
    expect(control.publish?.repo).toBe('me/control');
    const { evaluate } = control;
    expect(evaluate).toMatchObject({
      evalId: 'demo-x-sequential-countdown-sequential',
      benchmark: 'countdown',
      method: 'sequential',
      pool: 'demo-sequential',
      model: 'sprint-tiny-demo-sequential',
      limit: 48,
      concurrency: sprint.evaluate!.concurrency,
      outDir: '/tmp/runs/demo-x/eval-sequential',
    });
    expect(evaluate?.routing?.planner.pool).toBe('demo-sequential');
    // The session settings (sampling, budgets) the SPRINT evaluation runs with.
    expect(evaluate?.settings).toMatchObject({ temperature: sprint.evaluate!.settings!.temperature });
    expect(evaluate?.settings).toMatchObject({ sequentialMaxTokens: config.session.sequentialMaxTokens });
  });

  it('refuses what it cannot compare: no control pool, an unknown pool, no training', () => {
    expect(() => sequentialComparisonInput(config, sprint, {})).toThrow(/--compare-pool POOL/);
    expect(() => sequentialComparisonInput(config, sprint, { pool: 'nope' })).toThrow(
      /pool "nope" is not configured/,
    );
    const { train: _t, ...untrained } = sprint;
    expect(() => sequentialComparisonInput(config, untrained, { pool: 'demo-sequential' })).toThrow(
      /train stage cannot be skipped/,
    );
  });
});
