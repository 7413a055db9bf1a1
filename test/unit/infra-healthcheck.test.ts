import { parseConfig } from '../../config';
import { expectedQueues } from '../../infra/docker/worker-health';

const config = parseConfig({
  temporal: { taskQueuePrefix: '' },
  taskQueues: { control: 'c', curation: 'cu', training: 't' },
  models: {
    pools: {
      main: {
        model: 'm',
        replicas: [
          { name: 'gpu0', baseUrl: 'http://a:8000/v1' },
          { name: 'gpu1', baseUrl: 'http://b:8000/v1', taskQueue: 'custom-q' },
        ],
      },
      api: { model: 'gpt', replicas: [{ name: 'r0', baseUrl: 'https://api.example.com/v1' }] },
    },
    roles: { planner: 'main', executor: 'main', extractor: 'api', dag: 'api' },
  },
});

describe('worker health check: the queues a role must poll', () => {
  it('an llm replica worker polls its own queue and the pool queue', () => {
    expect(expectedQueues(config, 'llm', 'main', 'gpu0')).toEqual([
      { name: 'sprint-llm-main-gpu0', kind: 'activity' },
      { name: 'sprint-llm-main', kind: 'activity' },
    ]);
    expect(expectedQueues(config, 'llm', 'main', 'gpu1').map((q) => q.name)).toEqual([
      'custom-q',
      'sprint-llm-main',
    ]);
  });

  it('an llm worker without --replica serves every replica of every pool', () => {
    expect(expectedQueues(config, 'llm').map((q) => q.name)).toEqual([
      'sprint-llm-main-gpu0',
      'custom-q',
      'sprint-llm-main',
      'sprint-llm-api-r0',
      'sprint-llm-api',
    ]);
  });

  it('CPU roles poll their configured queues; control polls workflow tasks', () => {
    expect(expectedQueues(config, 'control')).toEqual([{ name: 'c', kind: 'workflow' }]);
    expect(expectedQueues(config, 'curation')).toEqual([{ name: 'cu', kind: 'activity' }]);
    expect(expectedQueues(config, 'training')).toEqual([{ name: 't', kind: 'activity' }]);
    expect(expectedQueues(config, 'all')).toHaveLength(3 + 5);
  });

  it('a deployment prefix is on every queue the check expects', () => {
    const prefixed = parseConfig({ ...config, temporal: { taskQueuePrefix: 'team-a.' } });
    expect(expectedQueues(prefixed, 'all').map((q) => q.name)).toEqual([
      'team-a.c',
      'team-a.cu',
      'team-a.t',
      'team-a.sprint-llm-main-gpu0',
      'team-a.custom-q',
      'team-a.sprint-llm-main',
      'team-a.sprint-llm-api-r0',
      'team-a.sprint-llm-api',
    ]);
  });

  it('names unknown roles, pools and replicas', () => {
    expect(() => expectedQueues(config, 'gpu')).toThrow(/unknown worker role "gpu"/);
    expect(() => expectedQueues(config, 'llm', 'nope')).toThrow(/unknown pool "nope" \(have: main, api\)/);
    expect(() => expectedQueues(config, 'llm', 'main', 'gpu9')).toThrow(/pool "main" has no replica "gpu9"/);
  });
});
