import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselinePromptTemplate, parseConfig, readChatTemplate, sessionRunInput } from '../../config';
import { chatPromptTemplate, chatTemplateOf } from '../../core/format/chat-template';
import { renderSessionPrefix } from '../../core/format';
import { trainingPrompt } from '../../core/curation/render';

// A tokenizer_config.json in the shape the Hub serves (R1-Distill style: the template opens the
// reasoning block itself); the template text is this test's own, not a copy of a model's.
const TEMPLATE =
  "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}<|U|>{{ m['content'] }}" +
  "{% elif m['role'] == 'assistant' %}<|A|>{{ m['content'] }}{{ eos_token }}{% endif %}{% endfor %}" +
  '{% if add_generation_prompt %}<|A|><think>\n{% endif %}';

function writeTokenizerConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sprint-tok-'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

describe('chat templates from tokenizer_config.json', () => {
  const dir = writeTokenizerConfig({
    chat_template: TEMPLATE,
    bos_token: { content: '<|B|>', lstrip: false },
    eos_token: '<|E|>',
  });

  it('renders one user turn with the assistant turn opened, placeholders kept', () => {
    const chat = readChatTemplate(dir);
    expect(chatPromptTemplate(chat, '{question}')).toBe('<|B|><|U|>{question}<|A|><think>\n');
    expect(baselinePromptTemplate(join(dir, 'tokenizer_config.json'))).toBe(
      '<|B|><|U|>{question}<|A|><think>\n',
    );
  });

  it('a session served through the chat template sees the training prompt as the user turn, <think> once', () => {
    const config = parseConfig({ session: { chatTemplateFile: dir, systemPrompt: 'SYS' } }, 'test');
    const input = sessionRunInput(config, 'What is 1 + 1?');
    expect(input.settings.promptTemplate).toBe(
      '<|B|><|U|>{system}\n\n<Question>\n{question}\n</Question>\n\n<|A|>',
    );
    expect(input.settings.chatTemplateFile).toBeUndefined();
    const prefix = renderSessionPrefix(input.settings.promptTemplate!, 'SYS', 'What is 1 + 1?');
    expect(`${prefix}<think>\n`).toBe(`<|B|><|U|>${trainingPrompt('What is 1 + 1?', 'SYS')}<|A|><think>\n`);
  });

  it('names the file and the field when the config is unusable', () => {
    expect(() => chatTemplateOf({ bos_token: 'x' }, 'tok.json')).toThrow(/tok\.json: chat_template: missing/);
    expect(() => readChatTemplate(join(dir, 'nope', 'tokenizer_config.json'))).toThrow(
      /cannot read the tokenizer config/,
    );
    const dropping = chatTemplateOf({ chat_template: '<|U|>hello<|A|>' }, 'bad.json');
    expect(() => chatPromptTemplate(dropping, '{question}')).toThrow(
      /bad\.json: chat_template dropped the \{question\}/,
    );
    const named = chatTemplateOf(
      {
        chat_template: [
          { name: 'tool_use', template: 'x' },
          { name: 'default', template: 'd' },
        ],
      },
      'n.json',
    );
    expect(named.chatTemplate).toBe('d');
  });
});
