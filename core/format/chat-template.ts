import { Template } from '@huggingface/jinja';

/*
 * Chat templates rendered from a model's own `tokenizer_config.json` (its `chat_template` Jinja
 * text and special tokens), never from a hand-copied string. Rendered with @huggingface/jinja,
 * the Hub's own implementation of the Jinja subset chat templates use, rather than a homemade
 * interpreter. Not exported from core/format/index.ts: workflows never render templates (the
 * client renders once and passes the resulting prompt template), so the bundle stays small.
 */

/** What a chat template needs from a tokenizer config. */
export interface ChatTemplateSource {
  chatTemplate: string;
  bosToken?: string;
  eosToken?: string;
  /** Where it came from, for error messages. */
  source: string;
}

/** Token fields are a string or an AddedToken object `{ content }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string')
    return (value as { content: string }).content;
  return undefined;
}

/**
 * Reads the chat template and special tokens of a parsed `tokenizer_config.json`. A list of named
 * templates (`[{ name, template }]`) gives the one named `default`. Errors name the source.
 */
export function chatTemplateOf(config: unknown, source: string): ChatTemplateSource {
  if (!config || typeof config !== 'object') throw new Error(`${source}: not a JSON object`);
  const c = config as Record<string, unknown>;
  let template = c.chat_template;
  if (Array.isArray(template)) {
    const named = template.find(
      (t): t is { template: string } =>
        !!t &&
        typeof t === 'object' &&
        (t as { name?: unknown }).name === 'default' &&
        typeof (t as { template?: unknown }).template === 'string',
    );
    template = named?.template;
  }
  if (typeof template !== 'string' || !template.trim())
    throw new Error(`${source}: chat_template: missing (a string, or a list holding one named "default")`);
  const bosToken = tokenText(c.bos_token);
  const eosToken = tokenText(c.eos_token);
  return {
    chatTemplate: template,
    source,
    ...(bosToken !== undefined ? { bosToken } : {}),
    ...(eosToken !== undefined ? { eosToken } : {}),
  };
}

/** One user turn through the chat template, the assistant turn opened (`add_generation_prompt`). */
export function renderUserTurn(t: ChatTemplateSource, userContent: string): string {
  let template: Template;
  try {
    template = new Template(t.chatTemplate);
  } catch (err) {
    throw new Error(`${t.source}: chat_template does not parse: ${(err as Error).message}`);
  }
  try {
    return template.render({
      messages: [{ role: 'user', content: userContent }],
      add_generation_prompt: true,
      bos_token: t.bosToken ?? '',
      eos_token: t.eosToken ?? '',
    });
  } catch (err) {
    throw new Error(`${t.source}: chat_template failed to render: ${(err as Error).message}`);
  }
}

/**
 * A raw-completion prompt template (placeholders such as `{question}` kept) whose user turn is
 * `userTemplate`, wrapped by the model's chat template. When the template itself opens the
 * reasoning block (`<think>\n` after the assistant tag, as recent R1-Distill templates do), that
 * opening is dropped: the SPRINT loop writes `<think>\n` itself, and it must appear once.
 */
export function chatPromptTemplate(
  t: ChatTemplateSource,
  userTemplate: string,
  opts: { dropThinkOpening?: boolean } = {},
): string {
  const rendered = renderUserTurn(t, userTemplate);
  for (const placeholder of userTemplate.match(/\{(system|question)\}/g) ?? [])
    if (!rendered.includes(placeholder))
      throw new Error(`${t.source}: chat_template dropped the ${placeholder} placeholder of the user turn`);
  return opts.dropThinkOpening && rendered.endsWith('<think>\n')
    ? rendered.slice(0, -'<think>\n'.length)
    : rendered;
}
