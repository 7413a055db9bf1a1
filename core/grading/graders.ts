/**
 * Who grades scored transcripts (`sprint eval score --grader`): `builtin` (core/grading) alone, or
 * `math-verify` (the Python package, in .venv) as well, with its agreement reported. Own module:
 * the CLI's option help lists them without loading the graders.
 */
export const graderNames = ['builtin', 'math-verify'] as const;
export type GraderName = (typeof graderNames)[number];
