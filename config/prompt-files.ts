import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chatPromptTemplate, chatTemplateOf, type ChatTemplateSource } from '../core/format/chat-template';
import { DEFAULT_PROMPT_PREFIX_TEMPLATE } from '../core/format/prompts';
import type { SessionSettingsInput } from './schema/session';

/*
 * Settings that name files (`systemPromptFile`, `chatTemplateFile`) are resolved here, on the
 * client side, when a workflow input is built: workflows cannot read files, and neither text is a
 * secret, so the resolved text travels in the input instead of the path.
 */

function readPromptFile(setting: string, path: string): string {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${setting}: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!text.trim()) throw new Error(`${setting}: ${file} is empty`);
  return text;
}

/** Reads a model's `tokenizer_config.json` (the file itself, or the model folder holding it) for its chat template. */
export function readChatTemplate(path: string): ChatTemplateSource {
  let file = resolve(path);
  if (!file.endsWith('.json')) file = resolve(file, 'tokenizer_config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the tokenizer config ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return chatTemplateOf(parsed, file);
}

/**
 * Session settings with their files read: `systemPromptFile` becomes `systemPrompt` (used as is,
 * no trim: the model input must match the released loop byte for byte), and `chatTemplateFile`
 * wraps `promptTemplate` (the user turn) in the model's own chat template.
 */
export function withSessionFiles(settings: SessionSettingsInput, setting = 'session'): SessionSettingsInput {
  const { systemPromptFile, chatTemplateFile, ...rest } = settings;
  const out: SessionSettingsInput = { ...rest };
  if (systemPromptFile !== undefined)
    out.systemPrompt = readPromptFile(`${setting}.systemPromptFile`, systemPromptFile);
  if (chatTemplateFile !== undefined) {
    const chat = readChatTemplate(chatTemplateFile);
    out.promptTemplate = chatPromptTemplate(chat, rest.promptTemplate ?? DEFAULT_PROMPT_PREFIX_TEMPLATE, {
      dropThinkOpening: true,
    });
  }
  return out;
}

/** The baselines' prompt template (`{question}` kept) rendered from a model's own chat template. */
export function baselinePromptTemplate(chatTemplateFile: string): string {
  return chatPromptTemplate(readChatTemplate(chatTemplateFile), '{question}');
}
