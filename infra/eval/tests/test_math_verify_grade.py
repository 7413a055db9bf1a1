"""The math-verify grading script as `sprint eval score --grader math-verify` runs it: JSONL in, JSONL out."""

import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "math_verify_grade.py")


def run(lines):
    done = subprocess.run(
        [sys.executable, SCRIPT], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_one_verdict_a_line_in_input_order_and_bad_lines_do_not_stop_the_rest():
    out = run(
        [
            json.dumps({"id": "right", "prediction": "\\boxed{\\frac{1}{2}}", "reference": "0.5"}),
            "not json",
            json.dumps({"id": "no-reference", "prediction": "\\boxed{1}"}),
            json.dumps({"id": "empty", "prediction": "  ", "reference": "1"}),
            json.dumps({"id": "wrong", "prediction": "\\boxed{2}", "reference": "3"}),
        ]
    )
    assert [o["id"] for o in out] == ["right", None, "no-reference", "empty", "wrong"]
    assert [o["correct"] for o in out] == [True, False, False, False, False]
    assert out[1]["error"].startswith("line 2: ")
    assert out[2]["error"].startswith("line 3: ")
    assert out[3]["error"] == "no prediction"
    assert "error" not in out[4]


def test_exits_3_with_a_hint_when_math_verify_is_missing():
    done = subprocess.run(
        [sys.executable, "-S", SCRIPT], input="{}\n", capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert "scripts/setup-python.sh" in done.stderr
