"""Grades math answers with Hugging Face's math-verify, as a cross-check of the built-in grader.

`sprint eval score --grader math-verify` runs this in the project's Python environment. Input on
stdin: one JSON object a line, {"id": ..., "prediction": text, "reference": answer}; the prediction
is the model output the built-in grader saw (math-verify does its own extraction from it), the
reference is the benchmark's answer (LaTeX without delimiters). Output on stdout: one JSON object a
line, in input order, {"id": ..., "correct": bool} plus "error" when that line could not be graded
(it is then counted as not correct). Exit status 3 when math-verify is not installed.
"""

import json
import sys


def grade(parse, verify, prediction, reference):
    gold = parse("$" + reference + "$")
    if not gold:
        # a reference math-verify cannot read as LaTeX: try it as a plain expression
        gold = parse(reference)
    if not gold:
        raise ValueError("math-verify could not parse the reference answer")
    answer = parse(prediction)
    return bool(answer) and bool(verify(gold, answer))


def main():
    try:
        from math_verify import parse, verify
    except ImportError as err:
        print(
            "math-verify is not installed in this Python environment (%s): run scripts/setup-python.sh" % err,
            file=sys.stderr,
        )
        return 3
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        ident = None
        try:
            item = json.loads(line)
            ident = item.get("id")
            prediction = item.get("prediction")
            reference = item["reference"]
        except (ValueError, KeyError, AttributeError) as err:
            print(json.dumps({"id": ident, "correct": False, "error": "line %d: %s" % (number, err)}), flush=True)
            continue
        out = {"id": ident, "correct": False}
        if not isinstance(prediction, str) or not prediction.strip():
            out["error"] = "no prediction"
        else:
            try:
                out["correct"] = grade(parse, verify, prediction, str(reference))
            except Exception as err:  # a bad answer must not stop the others
                out["error"] = "%s: %s" % (type(err).__name__, err)
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
