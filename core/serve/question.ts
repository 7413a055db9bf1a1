import type { ChatMessage } from './request-schema';

/*
 * A session answers one question, so a chat becomes one question text. The last user turn is the
 * question; earlier turns (a follow-up in Open WebUI) are kept before it as a plain transcript, so
 * the planner sees the conversation. System and developer messages lead the question as
 * instructions: the session's own system prompt (`session.systemPrompt`, which teaches the SPRINT
 * tag format) must stay, so a client's system message cannot replace it.
 */

export function messageText(m: ChatMessage): string {
  return typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
}

export type QuestionResult = { ok: true; question: string } | { ok: false; error: string };

export function chatQuestion(messages: readonly ChatMessage[]): QuestionResult {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(messageText);
  const turns = messages.filter((m) => m.role === 'user' || m.role === 'assistant');
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'user') {
    return {
      ok: false,
      error: 'messages: the last user/assistant message must be from the user (the question)',
    };
  }
  const lastText = messageText(last);
  if (!lastText.trim())
    return { ok: false, error: `messages.${messages.lastIndexOf(last)}.content: the question is empty` };
  const earlier = turns
    .slice(0, -1)
    .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${messageText(m)}`);
  const conversation = earlier.length ? `${earlier.join('\n\n')}\n\nUser: ${lastText}` : lastText;
  const question = system.length ? `${system.join('\n\n')}\n\n${conversation}` : conversation;
  return { ok: true, question };
}
