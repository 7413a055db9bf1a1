import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A small curated dataset of SPRINT records (prompt = instructions + <Question>, completion =
 * <think> + tag-format trajectory + </think>) from Countdown problems, written as the curation
 * workflow lays it out (train.jsonl / test.jsonl), for trainer runs in tests.
 */
export function writeSftDataset(dir?: string, nTrain = 40, nTest = 6, seed = 5): string {
  const out = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sprint-sft-data-'));
  fs.mkdirSync(out, { recursive: true });
  let s = seed;
  const rand = (lo: number, hi: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + (s % (hi - lo + 1));
  };
  const record = () => {
    const a = rand(2, 20);
    const b = rand(2, 20);
    const c = rand(2, 9);
    const t = a + b * c;
    const prompt = `Solve with parallel sub-tasks.\n\n<Question>\nUse ${a}, ${b}, ${c} once each with + - * / to reach ${t}.\n</Question>\n\n`;
    const completion =
      `<think>\n<Plan_1>\nTwo independent products.\n<prompt_1.1> Compute ${b} * ${c}. </prompt_1.1>\n` +
      `<prompt_1.2> Compute ${a} + ${b}. </prompt_1.2>\n</Plan_1>\n\n<Execution_1>\n<execution_1.1>\n${b} * ${c} = ${b * c}\n` +
      `</execution_1.1>\n\n<execution_1.2>\n${a} + ${b} = ${a + b}\n</execution_1.2>\n</Execution_1>\n\n` +
      `<Plan_2>\nBased on execution_1.1:\n${a} + ${b * c} = ${t}.\n</Plan_2>\n\n<Execution_2>\nNo prompt to execute.\n</Execution_2>\n\n` +
      `<Final_answer>\n\\boxed{${a} + ${b} * ${c}}\n</Final_answer>\n</think>`;
    return JSON.stringify({ prompt, completion });
  };
  fs.writeFileSync(path.join(out, 'train.jsonl'), Array.from({ length: nTrain }, record).join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'test.jsonl'), Array.from({ length: nTest }, record).join('\n') + '\n');
  return out;
}

/** Decodes a JSON payload of the default data converter (heartbeat details in describe()). */
export function decodeJsonPayload<T>(
  payload: { data?: Uint8Array | null } | undefined | null,
): T | undefined {
  if (!payload?.data) return undefined;
  return JSON.parse(Buffer.from(payload.data).toString('utf8')) as T;
}
