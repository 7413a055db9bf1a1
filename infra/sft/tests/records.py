"""Curated records of the shape the curation workflow writes (prompt = system instructions +
<Question>, completion = <think> + SPRINT trajectory + </think>), made from Countdown problems."""

from __future__ import annotations

import json
import random

SYSTEM = (
    "You are a reasoning assistant. Plan in <Plan_k> blocks, hand independent sub-tasks to executors "
    "with <prompt_k.i> tags, and finish with <Final_answer>."
)


def countdown_record(rng: random.Random) -> dict[str, str]:
    a, b, c = rng.randint(2, 20), rng.randint(2, 20), rng.randint(2, 9)
    target = a + b * c
    question = f"Using the numbers {a}, {b}, {c} exactly once with + - * /, reach {target}."
    prompt = f"{SYSTEM}\n\n<Question>\n{question}\n</Question>\n\n"
    completion = (
        "<think>\n<Plan_1>\nTwo independent ways to start.\n"
        f"<prompt_1.1> Compute {b} * {c}. </prompt_1.1>\n<prompt_1.2> Compute {a} + {b}. </prompt_1.2>\n</Plan_1>\n\n"
        f"<Execution_1>\n<execution_1.1>\n{b} * {c} = {b * c}\n</execution_1.1>\n\n"
        f"<execution_1.2>\n{a} + {b} = {a + b}\n</execution_1.2>\n</Execution_1>\n\n"
        f"<Plan_2>\nBased on execution_1.1:\n{a} + {b * c} = {target}, the target.\n</Plan_2>\n\n"
        "<Execution_2>\nNo prompt to execute.\n</Execution_2>\n\n"
        f"<Final_answer>\n{a} + {b} * {c} = {target}, so the answer is \\boxed{{{a} + {b} * {c}}}\n</Final_answer>\n</think>"
    )
    return {"prompt": prompt, "completion": completion}


def write_dataset(folder: str, n_train: int = 48, n_test: int = 8, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(f"{folder}/train.jsonl", "w", encoding="utf-8") as fh:
        for _ in range(n_train):
            fh.write(json.dumps(countdown_record(rng)) + "\n")
    with open(f"{folder}/test.jsonl", "w", encoding="utf-8") as fh:
        for _ in range(n_test):
            fh.write(json.dumps(countdown_record(rng)) + "\n")
