#!/usr/bin/env python3
"""Decodes validation problems with a trained demo model call by call, as a SPRINT session serves it:
the planner call, one call per executor (the prompt text from the project's own core/format through
bench/demo-session-views.ts, for the executor strategy given), then the next planner call on the
finished round, which should write the final answer. Greedy, like the demo's sessions. Reports the
accuracy, the sequential tokens (plan + longest execution + answer call) and where the calls fail.

  npx tsx bench/demo-data.ts /tmp/demo-data                       # eval.jsonl: validation problems
  .venv/bin/python infra/sft/demo_session_probe.py --model RUN/final --data /tmp/demo-data/eval.jsonl

Approximations of a session, stated: one round, then the answer call (a second plan there counts as
no answer), tokens counted by the model's tokenizer on the cleaned texts. The demo's own numbers
come from its sessions; this is for comparing settings on validation problems in minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from demo_probe import equation_ok, read_jsonl  # noqa: E402


def session_views(request: dict) -> list:
    """The session's prompt pieces from the project's TypeScript (bench/demo-session-views.ts)."""
    tsx = os.path.join(ROOT, "node_modules", ".bin", "tsx")
    out = subprocess.run([tsx, os.path.join(ROOT, "bench", "demo-session-views.ts")], input=json.dumps(request),
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def checks(nums: list[int]) -> list[str]:
    """The checklist style's checks in their fixed order (core/traces/countdown-checklist.ts)."""
    x, y = nums
    big, small = max(x, y), min(x, y)
    out = [f"{x} + {y}", f"{x} * {y}"]
    if big > small:
        out.append(f"{big} - {small}")
    if small > 1 and big % small == 0:
        out.append(f"{big} / {small}")
    return out


def value(expr: str) -> float | None:
    m = re.fullmatch(r"(\d+) ([-+*/]) (\d+)", expr)
    if not m:
        return None
    a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[op]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a trained model folder (RUN/final)")
    ap.add_argument("--data", required=True, help="eval.jsonl of bench/demo-data.ts (validation problems)")
    ap.add_argument("--strategy", default="shared-prefix", help="session.executorStrategy")
    ap.add_argument("--max_tokens", type=int, default=192, help="session.maxTokensPerCall")
    ap.add_argument("--max_prompts", type=int, default=4, help="session.maxPromptsPerRound")
    ap.add_argument("--show", type=int, default=1, help="problems printed call by call")
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model).eval()
    tok.padding_side = "left"
    problems = read_jsonl(args.data)

    def generate(prompts: list[str], stops: list[str]) -> list[str]:
        out: list[str] = []
        for i in range(0, len(prompts), 16):
            batch = tok(prompts[i : i + 16], return_tensors="pt", padding=True)
            with torch.no_grad():
                ids = model.generate(**batch, max_new_tokens=args.max_tokens, do_sample=False, use_cache=True,
                                     pad_token_id=tok.pad_token_id, stop_strings=stops, tokenizer=tok)
            for row in ids[:, batch["input_ids"].shape[1] :]:
                text = tok.decode(row, skip_special_tokens=True)
                ends = [text.find(s) + len(s) for s in stops if s in text]
                out.append(text[: min(ends)] if ends else text)
        return out

    def ntok(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"])

    prefixes = [p["prompt"] + "<think>\n" for p in problems]
    plans = generate(prefixes, ["</Plan_1>", "</Final_answer>"])
    views = session_views({"mode": "tails", "strategy": args.strategy, "maxPrompts": args.max_prompts, "plans": plans})
    calls = [(i, k) for i, v in enumerate(views) for k in range(len(v["tails"]))]
    replies = generate([prefixes[i] + views[i]["tails"][k] for i, k in calls], ["</execution_"])
    raw: list[list[str]] = [[] for _ in problems]
    for (i, _), r in zip(calls, replies):
        raw[i].append(r)
    rounds = session_views({"mode": "history", "maxPrompts": args.max_prompts, "plans": plans, "executions": raw})
    finals = generate([prefixes[i] + r["history"] for i, r in enumerate(rounds)], ["</Final_answer>"])

    correct, seq_tokens, total_tokens = 0, [], []
    plan_exact = plan_has_hit = n_exec = exec_own_prompt = exec_arith = claims = picks = 0
    for i, p in enumerate(problems):
        execs = rounds[i]["executions"]
        boxed = re.search(r"\\boxed\{([^}]*)\}", finals[i])
        ok = bool(boxed) and equation_ok(boxed.group(1), p["nums"], p["target"])
        correct += ok
        et = [ntok(e) for e in execs]
        seq_tokens.append(ntok(plans[i]) + max(et, default=0) + ntok(finals[i]))
        total_tokens.append(ntok(plans[i]) + sum(et) + ntok(finals[i]))
        prompts = [s.strip() for s in re.findall(r"<prompt_1\.\d+>(.*?)</prompt_1", plans[i], re.S)]
        asked = [s[4:-1] if s.startswith("Try ") and s.endswith(".") else s for s in prompts]
        want = checks(p["nums"])
        plan_exact += asked == want
        plan_has_hit += any(value(a) == p["target"] for a in asked if a in want)
        claimed = []
        for k, e in enumerate(execs):
            n_exec += 1
            first = re.match(r"(\d+ [-+*/] \d+) = (\d+)\.", e)
            exec_own_prompt += bool(first) and k < len(asked) and first.group(1) == asked[k]
            exec_arith += bool(first) and value(first.group(1)) == int(first.group(2))
            verdict = re.search(r"(?:So|Found:) (\d+ [-+*/] \d+) makes \d+\.", e)
            if verdict:
                claimed.append(verdict.group(1))
        if claimed:
            claims += 1
            picks += bool(boxed) and boxed.group(1).strip() in claimed
    for i in range(min(args.show, len(problems))):
        print(f"--- plan\n{plans[i]}\n--- executions\n" + "\n".join(rounds[i]["executions"]) + f"\n--- answer call\n{finals[i]}")
    print(json.dumps({
        "model": args.model, "strategy": args.strategy, "n": len(problems), "correct": correct,
        "seq_tokens_mean": round(statistics.mean(seq_tokens), 1), "total_tokens_mean": round(statistics.mean(total_tokens), 1),
        "prompts_mean": round(statistics.mean(len(v["tails"]) for v in views), 2),
        "plan_names_every_check": plan_exact, "plan_names_the_hit": plan_has_hit,
        "executions": n_exec, "execution_starts_with_its_prompt": exec_own_prompt, "execution_arithmetic_right": exec_arith,
        "answer_copies_a_claimed_hit": f"{picks}/{claims}",
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
