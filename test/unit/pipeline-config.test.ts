import * as path from 'node:path';
import { loadConfig } from '../../config';
import { buildPipelineInput } from '../../cli/actions/pipeline';
import { DEMO_MODEL_CONFIG } from '../../cli/actions/demo';

const root = path.resolve(__dirname, '..', '..');

describe('shipped configs and the pipeline input built from them', () => {
  it('config/demo.yaml: offline curation, tiny local training, local mirror, Countdown on the demo pool', () => {
    const config = loadConfig({ file: path.join(root, 'config', 'demo.yaml'), env: {} });
    const input = buildPipelineInput(config, {
      id: 'demo-x',
      generate: '300',
      extractor: 'offline',
      tiny: true,
      modelConfig: DEMO_MODEL_CONFIG,
      repo: 'local/sprint-tiny-demo',
      limit: '8',
      pool: 'demo',
    });
    expect(input.curate).toMatchObject({
      source: { kind: 'generate', count: 300 },
      settings: { extractor: 'offline' },
    });
    expect(input.train).toMatchObject({
      launcher: 'local',
      tiny: false,
      modelConfig: DEMO_MODEL_CONFIG,
      profile: 'cpu',
    });
    expect(input.publish).toMatchObject({ repo: 'local/sprint-tiny-demo' });
    expect(input.evaluate).toMatchObject({
      evalId: 'demo-x-countdown-sprint',
      benchmark: 'countdown',
      method: 'sprint',
      pool: 'demo',
      limit: 8,
    });
    expect(input.evaluate?.routing?.planner.pool).toBe('demo');
    expect(config.hub.tokenEnv).toBe('SPRINT_DEMO_HUB_TOKEN');
    expect(config.session.maxTokensPerCall).toBeLessThan(1000);
  });

  it('config/r1-distill-7b.yaml: the paper settings', () => {
    const config = loadConfig({ file: path.join(root, 'config', 'r1-distill-7b.yaml'), env: {} });
    expect(config.training).toMatchObject({
      launcher: 'kubernetes',
      profile: 'paper',
      baseModel: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
    });
    expect(config.training.hyperparameters).toMatchObject({
      epochs: 5,
      learningRate: 1e-5,
      weightDecay: 1e-4,
      warmupRatio: 0.05,
    });
    expect(config.training.kubernetes.resources.gpus).toBe(8);
    expect(config.curation.extractor).toBe('llm');
    expect(config.models.pools[config.models.roles.extractor]?.model).toBe('gpt-4o');
    expect(config.models.pools[config.models.roles.dag]?.model).toBe('gpt-4o-mini');
    const input = buildPipelineInput(config, {
      id: 'p1',
      traces: 'traces.jsonl',
      repo: 'org/sprint-7b',
      benchmark: 'math500',
    });
    expect(input.train).toMatchObject({ launcher: 'kubernetes', tiny: false });
    expect(input.evaluate).toMatchObject({ benchmark: 'math500', pool: 'sprint' });
  });

  it('rejects unknown stages and a curation without input', () => {
    const config = loadConfig({ file: path.join(root, 'config', 'demo.yaml'), env: {} });
    expect(() => buildPipelineInput(config, { skip: ['nope'] })).toThrow(/--skip/);
    expect(() => buildPipelineInput(config, {})).toThrow(/--traces FILE or --generate N/);
  });
});
