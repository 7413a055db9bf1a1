/*
 * DAG parent maps as extractors really write them (docs/sprint-format.md#dependency-graph). Pure. Keys and
 * parents may be integers or strings ("3", " 3", "Component 3"); JSON-like text with bare integer
 * keys (`{1: [], 2: [1]}`, which Python prints and some models answer) is read too. Anything else
 * is a DagInputError naming the key and what was found.
 */
import type { Dag } from './index';

export class DagInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DagInputError';
  }
}

const ID_RE = /^\s*(?:component|step|node)?\s*#?\s*(\d+)\s*$/i;

/** A component id from an integer or a string such as "3" or "Component 3"; undefined otherwise. */
export function componentId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = ID_RE.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** Normalises a parent map: canonical integer-string keys, integer parents in their listed order. */
export function normalizeDag(raw: unknown, where = 'DAG'): Dag {
  const map =
    raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const inner = map && 'dag' in map && Object.keys(map).length === 1 ? map.dag : raw;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner))
    throw new DagInputError(`${where}: expected an object mapping component ids to parent lists`);
  const dag: Dag = {};
  for (const [key, parents] of Object.entries(inner as Record<string, unknown>)) {
    const child = componentId(key);
    if (child === undefined) throw new DagInputError(`${where}: key "${key}" is not a component id`);
    if (String(child) in dag) throw new DagInputError(`${where}: component ${child} is listed twice`);
    const list = parents === null ? [] : parents;
    if (!Array.isArray(list))
      throw new DagInputError(
        `${where}: parents of ${child} must be a list (got ${JSON.stringify(parents)})`,
      );
    dag[String(child)] = list.map((p, i) => {
      const id = componentId(p);
      if (id === undefined)
        throw new DagInputError(
          `${where}: parent ${i + 1} of component ${child} is not a component id (got ${JSON.stringify(p)})`,
        );
      return id;
    });
  }
  return dag;
}

/** Parses DAG text: JSON, or JSON-like with bare integer keys. */
export function parseDagText(text: string, where = 'DAG'): Dag {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Quote bare integer keys ({1: [2]} -> {"1": [2]}) and try once more.
    const quoted = text.replace(/([{,]\s*)(\d+)(\s*:)/g, '$1"$2"$3');
    try {
      value = JSON.parse(quoted);
    } catch (err) {
      throw new DagInputError(`${where}: not valid JSON (${(err as Error).message})`);
    }
  }
  return normalizeDag(value, where);
}
