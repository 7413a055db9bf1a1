import { engineCheck } from '../../cli/actions/status';

describe('sprint status: engine check', () => {
  it('passes when the engine lists the model the pool sends', () => {
    expect(engineCheck('local/r0', 'http://127.0.0.1:8000/v1', 'sprint', ['sprint'])).toEqual({
      what: 'engine local/r0',
      ok: true,
      detail: 'http://127.0.0.1:8000/v1 serves sprint',
    });
    // OpenAI itself lists every model of the account
    expect(engineCheck('api/r0', 'https://api.openai.com/v1', 'gpt-4o', ['gpt-4o-mini', 'gpt-4o']).ok).toBe(
      true,
    );
  });

  it('fails, naming both names and the fix, when the engine serves another model', () => {
    // `vllm serve MODEL` without --served-model-name serves the path it was given
    const check = engineCheck('local/r0', 'http://127.0.0.1:8000/v1', 'sprint', ['/models/sprint-7b']);
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      'http://127.0.0.1:8000/v1 serves /models/sprint-7b, not the pool\'s model "sprint": set the ' +
        "pool's `model` to the served name, or serve it under that name (vLLM, SGLang: " +
        '--served-model-name sprint)',
    );
  });

  it('does not fail an engine that lists no models (nothing to compare)', () => {
    const check = engineCheck('g/r0', 'http://127.0.0.1:9000/v1', 'm', []);
    expect(check.ok).toBe(true);
    expect(check.detail).toContain('lists no models');
  });
});
