#!/usr/bin/env python3
"""The demo's curated data measured as the sessions count it, before any training: for each trace,
the SPRINT sample's sequential tokens (per round its plan plus its longest execution, then the final
answer) against the sequential sample's (the whole completion after `<think>`), in tokens of the
run's own tokenizer, trained on each set as train.py trains it. A trace style saves sequential tokens
only if this ratio is well under the target; the trained models then add their own errors.

  npx tsx bench/demo-data.ts /tmp/demo-data
  .venv/bin/python infra/sft/demo_ratio.py /tmp/demo-data

Stop strings and the end-of-text token are left out on both sides (a token or two a call).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sprint_sft.tiny import train_tokenizer  # noqa: E402

THINK = "<think>\n"
ROUND = re.compile(r"(<Plan_(\d+)>[\s\S]*?)</Plan_\2>\s*<Execution_\2>([\s\S]*?)</Execution_\2>")
EXECUTION = re.compile(r"<execution_[\d.]+>\n([\s\S]*?)</execution_")
FINAL = re.compile(r"(<Final_answer>[\s\S]*?)</Final_answer>")


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]
    sprint = read_jsonl(os.path.join(folder, "train.jsonl"))
    sequential = read_jsonl(os.path.join(folder, "rft", "train.jsonl"))
    tokenizers = [train_tokenizer([t for r in rows for t in (r["prompt"], r["completion"])]) for rows in (sprint, sequential)]
    count = [lambda text, tok=tok: len(tok(text, add_special_tokens=False)["input_ids"]) for tok in tokenizers]
    # The whole trajectories, in trace order (the serving-shape records of executors p.2 on follow each).
    trajectories = [r for r in sprint if r["completion"].startswith(THINK)]
    if len(trajectories) != len(sequential):
        print(f"{len(trajectories)} trajectories but {len(sequential)} sequential samples", file=sys.stderr)
        return 1
    critical, whole, plans, longest = [], [], [], []
    for traj, seq in zip(trajectories, sequential):
        body = traj["completion"][len(THINK):]
        path = 0
        for m in ROUND.finditer(body):
            plan = count[0](m.group(1))
            execution = max((count[0](e) for e in EXECUTION.findall(m.group(3))), default=0)
            plans.append(plan)
            longest.append(execution)
            path += plan + execution
        final = FINAL.search(body)
        path += count[0](final.group(1)) if final else 0
        critical.append(path)
        whole.append(count[1](seq["completion"].removeprefix(THINK)))
    ratios = [c / w for c, w in zip(critical, whole)]
    print(json.dumps({
        "traces": len(critical),
        "sprint_sequential_tokens_mean": round(statistics.mean(critical), 1),
        "sequential_tokens_mean": round(statistics.mean(whole), 1),
        "ratio_of_means": round(statistics.mean(critical) / statistics.mean(whole), 3),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "plan_tokens_mean": round(statistics.mean(plans), 1),
        "longest_execution_tokens_mean": round(statistics.mean(longest), 1),
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
