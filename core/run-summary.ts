/** How many characters of a question a run's summary shows in the Web UI list. */
export const SUMMARY_QUESTION_CHARS = 120;

/**
 * The summary a session or baseline run shows in the Web UI's list. With payload encryption on, the
 * question stays out of it: an operator sees what ran, and reads the question only through the codec.
 */
export function questionRunSummary(label: string, question: string, encrypted: boolean): string {
  return encrypted
    ? `${label} (question encrypted)`
    : `${label}: ${question.slice(0, SUMMARY_QUESTION_CHARS)}`;
}
