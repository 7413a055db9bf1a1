import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../config';
import { createPublishActivities, type PublishInput } from '../../activities/publish';
import { renderModelCard } from '../../core/model-card';
import { HubDouble } from '../helpers/hub-double';

function modelFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-model-'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'qwen2', hidden_size: 64 }));
  fs.writeFileSync(
    path.join(dir, 'model.safetensors'),
    Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919) % 251)),
  );
  fs.writeFileSync(
    path.join(dir, 'tokenizer.json'),
    JSON.stringify({
      model: { vocab: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`t${i}`, i])) },
    }),
  );
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), '{"eos_token":"<|endoftext|>"}');
  fs.writeFileSync(path.join(dir, 'training_args.bin'), 'pickled trainer state');
  return dir;
}

const card = {
  baseModel: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
  dataset: 'sprint-math-1700',
  datasetStats: { records: 1700, completion_tokens: 3_400_000 },
  hyperparameters: { epochs: 5, learning_rate: 1e-5, weight_decay: 1e-4, warmup_ratio: 0.05 },
  training: { steps: 1060, trainLoss: 0.41, bestEvalLoss: 0.38, launcher: 'kubernetes' },
  evalResults: [{ benchmark: 'MATH500', method: 'sprint', accuracy: 0.925, sequential_tokens: 2440 }],
};

describe('the model card', () => {
  it('names the base model, the data, the hyperparameters, eval results and how to serve', () => {
    const md = renderModelCard('me/sprint-7b', card);
    expect(md).toMatch(/^---\nbase_model: deepseek-ai\/DeepSeek-R1-Distill-Qwen-7B\n/);
    expect(md).toContain('- records: 1700');
    expect(md).toContain('| learning_rate | 1e-5 |');
    expect(md).toContain('| best eval loss (kept checkpoint) | 0.38 |');
    expect(md).toContain('| MATH500 | sprint | 0.925 | 2440 |');
    expect(md).toContain('vllm serve me/sprint-7b');
    expect(md).toContain('npx sprint ask');
    expect(renderModelCard('me/sprint-7b', { baseModel: 'b' })).not.toContain('## Evaluation');
  });
});

describe('publishing to the Hub (loopback Hub double)', () => {
  let hub: HubDouble;
  beforeAll(async () => {
    hub = await new HubDouble().start();
  });
  afterAll(() => hub.stop());

  const activities = (token?: string) =>
    createPublishActivities({
      hub: parseConfig(
        { hub: { endpoint: hub.baseUrl, localMirror: fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-')) } },
        't',
      ).hub,
      env: token ? { HF_TOKEN: token } : {},
    });

  it('creates a private repo, uploads the model with LFS for weights, and a re-run makes no commit', async () => {
    const dir = modelFolder();
    const { publishModel } = activities(hub.token);
    const input: PublishInput = { modelDir: dir, repo: 'me/sprint-tiny', card };
    const first = await publishModel(input);
    expect(first).toMatchObject({ target: 'hub', committed: true, files: 5, unchanged: 0 });
    expect(first.uploaded.sort()).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const repo = hub.repo('me/sprint-tiny')!;
    expect(repo.visibility).toBe('private');
    expect(hub.commitsOf('me/sprint-tiny')).toHaveLength(1);
    expect(repo.files.get('model.safetensors')).toMatchObject({ lfs: true });
    expect(
      repo.files
        .get('model.safetensors')!
        .content.equals(fs.readFileSync(path.join(dir, 'model.safetensors'))),
    ).toBe(true);
    expect(repo.files.get('config.json')).toMatchObject({ lfs: false });
    expect(repo.files.has('training_args.bin')).toBe(false);
    expect(repo.files.get('README.md')!.content.toString()).toContain(
      'base_model: deepseek-ai/DeepSeek-R1-Distill-Qwen-7B',
    );

    const before = hub.requests.length;
    const again = await publishModel(input);
    expect(again).toMatchObject({ committed: false, uploaded: [], unchanged: 5 });
    expect(hub.commitsOf('me/sprint-tiny')).toHaveLength(1);
    const calls = hub.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(calls.some((c) => /preupload|commit|lfs|repos\/create/.test(c))).toBe(false);

    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ model_type: 'qwen2', hidden_size: 128 }),
    );
    const third = await publishModel(input);
    expect(third).toMatchObject({ committed: true, uploaded: ['config.json'], unchanged: 4 });
    expect(hub.commitsOf('me/sprint-tiny')).toHaveLength(2);
  });

  it('reports a refused token', async () => {
    const { publishModel } = activities('hf_wrong');
    await expect(publishModel({ modelDir: modelFolder(), repo: 'me/other', card })).rejects.toThrow(
      /Invalid credentials|401/,
    );
  });

  it('rejects a repo name without a namespace and a folder without a model', async () => {
    const { publishModel } = activities(hub.token);
    await expect(publishModel({ modelDir: modelFolder(), repo: 'no-namespace', card })).rejects.toThrow(
      /namespace\/name/,
    );
    await expect(publishModel({ modelDir: os.tmpdir(), repo: 'me/x', card })).rejects.toThrow(
      /no config.json/,
    );
  });
});

describe('publishing without a token (local mirror)', () => {
  it('mirrors the repo layout under hub.localMirror and a re-run changes nothing', async () => {
    const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'mirror-'));
    const { publishModel } = createPublishActivities({
      hub: parseConfig({ hub: { localMirror: mirror } }, 't').hub,
      env: {},
    });
    const dir = modelFolder();
    const first = await publishModel({ modelDir: dir, repo: 'me/sprint-tiny', card });
    const root = path.join(mirror, 'me', 'sprint-tiny');
    expect(first).toMatchObject({ target: 'local', location: root, committed: true, files: 5 });
    expect(
      fs
        .readFileSync(path.join(root, 'model.safetensors'))
        .equals(fs.readFileSync(path.join(dir, 'model.safetensors'))),
    ).toBe(true);
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('# sprint-tiny');
    expect(fs.existsSync(path.join(root, 'training_args.bin'))).toBe(false);
    const mtime = fs.statSync(path.join(root, 'model.safetensors')).mtimeMs;
    const again = await publishModel({ modelDir: dir, repo: 'me/sprint-tiny', card });
    expect(again).toMatchObject({ committed: false, uploaded: [], unchanged: 5 });
    expect(fs.statSync(path.join(root, 'model.safetensors')).mtimeMs).toBe(mtime);
    expect(fs.readFileSync(path.join(root, '.sprint-commits.jsonl'), 'utf8').trim().split('\n')).toHaveLength(
      1,
    );
  });
});
