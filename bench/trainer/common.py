"""Shared by both sides of the trainer bench: shapes, the synthetic data and its tokenizer.

Both trainers read the same records with the same tokenizer (saved once, under the project
trainer's OUTPUT/init where train.py picks it up) and build the same randomly initialised Qwen2."""

from __future__ import annotations

import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "infra", "sft"))

from sprint_sft.data import encode_records  # noqa: E402
from sprint_sft.tiny import QWEN2_7B_SHAPE, TINY_QWEN2, train_tokenizer  # noqa: E402

# Model shapes: Qwen2 config fields (the 7B one is DeepSeek-R1-Distill-Qwen-7B's).
SHAPES = {
    "tiny": {**TINY_QWEN2, "hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 2},
    "7b-2layer": {**QWEN2_7B_SHAPE, "num_hidden_layers": 2},
    "7b": dict(QWEN2_7B_SHAPE),
}

WORDS = "plan execute prompt result number target verify case branch sum product check answer".split()


def make_records(n: int, seed: int = 0) -> list[dict[str, str]]:
    """Curated-shape records (a <Question> prompt, a long SPRINT-tagged completion)."""
    rng = random.Random(seed)
    records = []
    for _ in range(n):
        q = " ".join(rng.choice(WORDS) for _ in range(40))
        body = " ".join(f"{rng.choice(WORDS)} {rng.randint(0, 999)}" for _ in range(6000))
        records.append({"prompt": f"<Question>\n{q}\n</Question>\n\n", "completion": f"<think>\n<Plan_1>\n{body}"})
    return records


def fit_records(tokenizer, records, seq: int) -> list[dict[str, str]]:
    """Cuts each completion so that the encoded example (prompt + completion + EOS) is at most seq
    tokens and close to it: every sample is then one full-length sequence, as in the paper's data."""
    fitted = []
    for rec in records:
        ids = tokenizer(rec["completion"], add_special_tokens=False)["input_ids"]
        prompt_n = 1 + len(tokenizer(rec["prompt"], add_special_tokens=False)["input_ids"])
        text = tokenizer.decode(ids[: max(1, seq - prompt_n - 8)])
        candidate = {"prompt": rec["prompt"], "completion": text}
        examples, _ = encode_records(tokenizer, [candidate], seq)
        if examples and len(examples[0].input_ids) <= seq:
            fitted.append(candidate)
    return fitted


def prepare(folder: str, seq: int, n: int, vocab: int = 4096) -> tuple[str, str]:
    """Writes the dataset (train.jsonl) and the tokenizer (init/); returns (dataset dir, init dir)."""
    data_dir = os.path.join(folder, "data")
    init_dir = os.path.join(folder, "run", "init")
    os.makedirs(data_dir, exist_ok=True)
    records = make_records(n)
    tokenizer = train_tokenizer((t for r in records[:8] for t in (r["prompt"], r["completion"])), vocab_size=vocab)
    tokenizer.save_pretrained(init_dir)
    fitted = fit_records(tokenizer, records, seq)
    if not fitted:
        raise SystemExit(f"bench: no record fits {seq} tokens")
    with open(os.path.join(data_dir, "train.jsonl"), "w", encoding="utf-8") as fh:
        for rec in fitted:
            fh.write(json.dumps(rec) + "\n")
    return data_dir, init_dir
