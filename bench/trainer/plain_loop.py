#!/usr/bin/env python3
"""The reference: a plain PyTorch training loop on the same model, data and batches as the project
trainer (padding-free rows of the same examples, the same optimizer, dtype, checkpointing and gradient
clipping), with nothing else. Prints one JSON line: the tokens and seconds of every step after the
warm-up, the steady-state tokens/s and peak memory."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SHAPES  # noqa: E402
from gate import Gate  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--init", required=True, help="tokenizer folder")
    p.add_argument("--shape", choices=SHAPES, required=True)
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--optim", default="adamw_torch", choices=["adamw_torch", "adamw_torch_fused", "adafactor"])
    p.add_argument("--bf16", action="store_true", help="bf16 weights (as the recipes' dtype: bfloat16)")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument(
        "--max-grad-norm", type=float, default=1.0,
        help="clip the gradients' global norm to this before each step, as the trainer does (0: no clipping)",
    )
    a = p.parse_args()

    import torch
    from transformers import AutoTokenizer

    from sprint_sft.data import encode_records, read_records
    from sprint_sft.tiny import build_model

    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    tok = AutoTokenizer.from_pretrained(a.init)
    examples, _ = encode_records(tok, read_records(os.path.join(a.data, "train.jsonl")), a.seq)
    special = {"bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id}
    model = build_model(dict(SHAPES[a.shape], attn_implementation="sdpa"), len(tok), a.seq, 42, special)
    if a.bf16:
        model = model.to(torch.bfloat16)
    model = model.to(device).train()
    if a.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    if a.optim == "adafactor":
        from transformers.optimization import Adafactor

        opt = Adafactor(model.parameters(), lr=1e-5, scale_parameter=False, relative_step=False)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=1e-4, fused=a.optim.endswith("fused"))

    def batch(step: int):
        chosen = [examples[(step * a.batch + i) % len(examples)] for i in range(a.batch)]
        ids = torch.tensor([t for e in chosen for t in e.input_ids], device=device)[None]
        pos = torch.cat([torch.arange(len(e.input_ids)) for e in chosen]).to(device)[None]
        labels = torch.tensor([t for e in chosen for t in ([-100] + e.labels[1:])], device=device)[None]
        return ids, pos, labels

    # Per-step times (each step waits for the device) so that the bench can take a median: on a
    # shared machine a whole-window average is dominated by whichever seconds another job took.
    steps: list[tuple[int, float]] = []
    tokens_per_step: list[int] = []
    gate = Gate()
    for step in range(a.steps):
        gate.wait()
        t0 = time.perf_counter()
        ids, pos, labels = batch(step)
        loss = model(input_ids=ids, position_ids=pos, labels=labels).loss
        loss.backward()
        if a.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.max_grad_norm)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if cuda:
            torch.cuda.synchronize()
        tokens_per_step.append(ids.numel())
        if step >= a.warmup:
            steps.append((ids.numel(), time.perf_counter() - t0))
    gate.finish()
    tokens = sum(n for n, _ in steps)
    elapsed = sum(s for _, s in steps)
    peak = torch.cuda.max_memory_allocated() / 2**30 if cuda else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps({
        "steps": steps, "tokens_per_step": tokens_per_step, "tokens_per_s": tokens / elapsed, "peak_gib": peak,
        "peak_kind": "gpu" if cuda else "rss", "loss": float(loss.detach()),
    }))


if __name__ == "__main__":
    main()
