/* Column maps of the common R1 trace sets: their own module, so `sprint curate --help` can list the
 * presets without loading the Parquet reader. */
export interface ColumnMap {
  question?: string;
  trace?: string;
  solution?: string;
  answer?: string;
  id?: string;
  /** List-of-booleans column choosing the generation of a list trace column (first true). */
  pick?: string;
}

/** Column maps of well-known R1 trace sets (`--columns NAME`). */
export const COLUMN_PRESETS: Record<string, ColumnMap> = {
  // open-r1/OpenR1-Math-220k: problem, solution, answer, uuid, generations (list), correctness_math_verify (list).
  'openr1-math': {
    question: 'problem',
    trace: 'generations',
    pick: 'correctness_math_verify',
    solution: 'solution',
    answer: 'answer',
    id: 'uuid',
  },
  // open-thoughts/OpenThoughts-114k style: conversations turns (the default reader handles them); ids by row.
  openthoughts: {},
};

/** The preset names, for help texts. */
export const columnPresetNames = Object.keys(COLUMN_PRESETS);
