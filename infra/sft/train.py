#!/usr/bin/env python3
"""Supervised fine-tuning of a causal LM on SPRINT curation records (prompt/completion JSONL).

Paper defaults (SPRINT, for deepseek-ai/DeepSeek-R1-Distill-Qwen-7B): full fine-tuning, 5 epochs,
lr 1e-5, weight decay 1e-4, linear warm-up over 5% of the steps then linear decay, bf16, gradient
checkpointing, batch 1 per device, DeepSpeed ZeRO-3 across GPUs, best eval-loss checkpoint kept.
Loss on the completion only. Built on transformers' Trainer (no TRL needed).

The launcher reads stdout: ONE JSON object per line, with an "event" field:
  start      {"event":"start","step","total","resumed_from","model","train":{...},"eval":{...}}
  log        {"event":"log","step","total","loss","eval_loss","lr","epoch","tokens_per_s","eta_s"}
  eval       {"event":"eval","step","total","eval_loss"}
  checkpoint {"event":"checkpoint","step","path"}
  done       {"event":"done","step","model_dir","best_eval_loss","best_checkpoint","train_loss",...}
  error      {"event":"error","message","type"}
Everything else (warnings, library logs) goes to stderr.

Examples:
  python train.py --dataset out/dataset --output-dir runs/r1 --model deepseek-ai/DeepSeek-R1-Distill-Qwen-7B
  deepspeed --num_gpus 8 train.py --dataset D --output-dir O --profile paper
  python train.py --dataset D --output-dir O --tiny-qwen2 --epochs 3 --lr 3e-3     # CPU, no download
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import traceback
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# The event stream owns stdout; every other print (ours or a library's) goes to stderr.
_EVENTS = sys.stdout
sys.stdout = sys.stderr

PAPER_BASE_MODEL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"

# Settings each profile implies; explicit flags win.
PROFILES: dict[str, dict[str, Any]] = {
    # One node of several GPUs (paper: 8x A100-40GB): ZeRO-3 shards weights, grads and optimizer.
    "paper": {
        "bf16": True,
        "gradient_checkpointing": True,
        "per_device_batch_size": 1,
        "gradient_accumulation_steps": 1,
        "max_length": 7168,
        "optim": "adamw_torch",
        "deepspeed": os.path.join(HERE, "ds_zero3.json"),
    },
    # One 80 GB card, 7B full fine-tuning: fp32 master weights (28 GB) + grads (28 GB) leave no room
    # for AdamW's 56 GB of moments, so the optimizer is Adafactor (factored second moments, no first
    # moment), bf16 autocast, gradient checkpointing, and a longer accumulation for a global batch of 8.
    # With 512 GB+ of host memory, `--deepspeed ds_zero3_offload.json --optim adamw_torch` is the
    # AdamW alternative (optimizer state offloaded to the CPU).
    "single-gpu-80gb": {
        "bf16": True,
        "gradient_checkpointing": True,
        "per_device_batch_size": 1,
        "gradient_accumulation_steps": 8,
        "max_length": 4096,
        "optim": "adafactor",
        "deepspeed": None,
    },
    # CPU: tests and the offline demo with a tiny model.
    "cpu": {
        "bf16": False,
        "gradient_checkpointing": False,
        "per_device_batch_size": 2,
        "gradient_accumulation_steps": 1,
        "max_length": 512,
        "optim": "adamw_torch",
        "deepspeed": None,
    },
}


def emit(event: str, **fields: Any) -> None:
    """Writes one JSON event line to the real stdout (rank 0 only) and flushes it."""
    if int(os.environ.get("RANK", "0")) != 0:
        return
    _EVENTS.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
    _EVENTS.flush()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = p.add_argument_group("data")
    data.add_argument("--dataset", help="curated dataset folder (sprint/train.jsonl or train.jsonl, + test.jsonl)")
    data.add_argument("--train-file", help="train JSONL (instead of --dataset)")
    data.add_argument("--eval-file", help="eval JSONL; 'none' to train without evaluation")
    data.add_argument("--max-length", type=int, help="tokens per example (prompt + completion); profile default")
    data.add_argument(
        "--prompt-template",
        default="{prompt}",
        help="how the prompt string is rendered before the completion ({prompt} is replaced); no chat template",
    )
    model = p.add_argument_group("model")
    model.add_argument("--model", default=PAPER_BASE_MODEL, help="base model: Hub id or local folder")
    model.add_argument("--tiny-qwen2", action="store_true", help="build a tiny random Qwen2 + tokenizer (no download)")
    model.add_argument("--model-config", help="Qwen2Config fields as inline JSON or a file: random init, local tokenizer")
    model.add_argument("--tokenizer-vocab", type=int, default=1024, help="vocab of the locally trained tokenizer")
    model.add_argument("--revision", help="Hub revision of --model")
    out = p.add_argument_group("output")
    out.add_argument("--output-dir", required=True, help="run folder: checkpoints, final model, events")
    out.add_argument("--save-steps", type=int, default=100, help="checkpoint every N optimizer steps")
    out.add_argument("--eval-steps", type=int, help="evaluate every N steps (default: --save-steps)")
    out.add_argument("--logging-steps", type=int, default=1)
    out.add_argument("--save-total-limit", type=int, default=3, help="checkpoints kept (the best is always kept)")
    out.add_argument("--no-resume", action="store_true", help="ignore existing checkpoints in --output-dir")
    hp = p.add_argument_group("hyperparameters (paper defaults)")
    hp.add_argument("--profile", choices=["auto", *PROFILES], default="auto")
    hp.add_argument("--epochs", type=float, default=5.0)
    hp.add_argument("--max-steps", type=int, default=-1, help="stop after N steps (overrides --epochs)")
    hp.add_argument("--lr", type=float, default=1e-5)
    hp.add_argument("--weight-decay", type=float, default=1e-4)
    hp.add_argument("--warmup-ratio", type=float, default=0.05)
    hp.add_argument("--scheduler", default="linear")
    hp.add_argument("--per-device-batch-size", type=int)
    hp.add_argument("--gradient-accumulation-steps", type=int)
    hp.add_argument("--optim", help="transformers optimizer name (adamw_torch, adafactor, ...)")
    hp.add_argument("--bf16", dest="bf16", action="store_true", default=None)
    hp.add_argument("--no-bf16", dest="bf16", action="store_false")
    hp.add_argument("--gradient-checkpointing", dest="gradient_checkpointing", action="store_true", default=None)
    hp.add_argument("--no-gradient-checkpointing", dest="gradient_checkpointing", action="store_false")
    hp.add_argument("--deepspeed", help="DeepSpeed JSON config (profile 'paper': ds_zero3.json); 'none' to disable")
    hp.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--exit-after-step",
        type=int,
        help="fault injection for tests: exit with status 75 right after the checkpoint of this step is saved",
    )
    p.add_argument(
        "--sleep-per-step",
        type=float,
        default=0.0,
        help="for tests and demos: pause this many seconds after each optimizer step (a slower device)",
    )
    p.add_argument("--local_rank", "--local-rank", type=int, default=-1, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if not args.dataset and not args.train_file:
        p.error("give --dataset DIR or --train-file FILE")
    return args


def resolve_profile(args: argparse.Namespace, cuda: bool) -> dict[str, Any]:
    name = args.profile
    if name == "auto":
        if not cuda:
            name = "cpu"
        elif int(os.environ.get("WORLD_SIZE", "1")) > 1:
            name = "paper"
        else:
            name = "single-gpu-80gb"
    settings = dict(PROFILES[name])
    settings["name"] = name
    for key in ("bf16", "gradient_checkpointing", "per_device_batch_size", "gradient_accumulation_steps", "max_length", "optim"):
        value = getattr(args, key)
        if value is not None:
            settings[key] = value
    if args.deepspeed:
        settings["deepspeed"] = None if args.deepspeed == "none" else args.deepspeed
    return settings


def load_model_and_tokenizer(args: argparse.Namespace, train_records: list[dict[str, str]], max_length: int, bf16: bool):
    """Either a real base model (Hub id or folder) or one built from a config with a local tokenizer.

    A built model is saved once under OUTPUT/init, so a resumed run uses the same tokenizer."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from sprint_sft.tiny import TINY_QWEN2, build_model, parse_model_config, train_tokenizer

    if args.tiny_qwen2 or args.model_config:
        cfg = dict(TINY_QWEN2)
        if args.model_config:
            cfg.update(parse_model_config(args.model_config))
        init_dir = os.path.join(args.output_dir, "init")
        if os.path.isfile(os.path.join(init_dir, "tokenizer.json")):
            tokenizer = AutoTokenizer.from_pretrained(init_dir)
        else:
            texts = (t for r in train_records for t in (r["prompt"], r["completion"]))
            tokenizer = train_tokenizer(texts, vocab_size=args.tokenizer_vocab)
            os.makedirs(init_dir, exist_ok=True)
            tokenizer.save_pretrained(init_dir)
        special = {
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        }
        model = build_model(cfg, len(tokenizer), max_length, args.seed, special)
        name = "tiny-qwen2" if not args.model_config else f"qwen2-from-config({cfg.get('num_hidden_layers', '?')} layers)"
        return model, tokenizer, name
    tokenizer = AutoTokenizer.from_pretrained(args.model, revision=args.revision)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    import torch

    import transformers

    dtype_key = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
    model = AutoModelForCausalLM.from_pretrained(
        args.model, revision=args.revision, **{dtype_key: torch.bfloat16 if bf16 else torch.float32}
    )
    model.config.use_cache = False
    return model, tokenizer, args.model


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    import transformers
    from transformers import Trainer, TrainerCallback, TrainingArguments
    from transformers.trainer_utils import get_last_checkpoint

    from sprint_sft.data import ExampleDataset, PadCollator, encode_records, find_split_files, read_records

    transformers.logging.set_verbosity_warning()
    cuda = torch.cuda.is_available()
    profile = resolve_profile(args, cuda)
    if profile["bf16"] and not cuda and args.bf16 is None:
        print("sprint-sft: no GPU; the profile's bf16 is off (pass --bf16 to force bf16 on the CPU)", file=sys.stderr)
        profile["bf16"] = False

    if args.dataset:
        train_file, eval_file = find_split_files(args.dataset)
    else:
        train_file, eval_file = args.train_file, None
    if args.eval_file:
        eval_file = None if args.eval_file == "none" else args.eval_file
    train_records = read_records(train_file)
    eval_records = read_records(eval_file) if eval_file else []

    model, tokenizer, model_name = load_model_and_tokenizer(args, train_records, profile["max_length"], profile["bf16"])
    train_examples, train_stats = encode_records(tokenizer, train_records, profile["max_length"], args.prompt_template)
    eval_examples, eval_stats = encode_records(tokenizer, eval_records, profile["max_length"], args.prompt_template)
    if not train_examples:
        raise ValueError(f"{train_file}: no example fits --max-length {profile['max_length']}")
    do_eval = bool(eval_examples)

    resume = None if args.no_resume else get_last_checkpoint(args.output_dir)
    save_steps = max(1, args.save_steps)
    eval_steps = args.eval_steps or save_steps
    if do_eval and save_steps % eval_steps != 0:
        raise ValueError(f"--save-steps ({save_steps}) must be a multiple of --eval-steps ({eval_steps}) to keep the best model")

    world = int(os.environ.get("WORLD_SIZE", "1"))
    per_step = profile["per_device_batch_size"] * profile["gradient_accumulation_steps"] * world
    steps_per_epoch = max(1, math.ceil(len(train_examples) / per_step))
    total_steps = args.max_steps if args.max_steps > 0 else math.ceil(args.epochs * steps_per_epoch)
    warmup_steps = int(math.ceil(args.warmup_ratio * total_steps))

    # transformers 5 renamed gradient_checkpointing to activation_checkpointing; accept both.
    fields = getattr(TrainingArguments, "__dataclass_fields__", {})
    ckpt_field = "activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing"
    targ_values = dict(
        output_dir=args.output_dir,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        warmup_steps=warmup_steps,
        lr_scheduler_type=args.scheduler,
        per_device_train_batch_size=profile["per_device_batch_size"],
        per_device_eval_batch_size=profile["per_device_batch_size"],
        gradient_accumulation_steps=profile["gradient_accumulation_steps"],
        optim=profile["optim"],
        bf16=profile["bf16"],
        **{ckpt_field: profile["gradient_checkpointing"]},
        deepspeed=profile["deepspeed"],
        logging_steps=args.logging_steps,
        save_strategy="steps",
        save_steps=save_steps,
        save_total_limit=args.save_total_limit,
        eval_strategy="steps" if do_eval else "no",
        eval_steps=eval_steps if do_eval else None,
        load_best_model_at_end=do_eval,
        metric_for_best_model="eval_loss" if do_eval else None,
        greater_is_better=False if do_eval else None,
        report_to="none",
        disable_tqdm=True,
        seed=args.seed,
        data_seed=args.seed,
        remove_unused_columns=False,
        dataloader_num_workers=0,
        use_cpu=not cuda,
    )

    # Older transformers (4.x) name some fields differently; drop what this version does not know.
    if "eval_strategy" not in fields and "evaluation_strategy" in fields:
        targ_values["evaluation_strategy"] = targ_values.pop("eval_strategy")
    unknown = sorted(k for k in targ_values if fields and k not in fields)
    for k in unknown:
        if targ_values[k] not in (None, False):
            print(f"sprint-sft: transformers {transformers.__version__} has no TrainingArguments.{k}; ignored", file=sys.stderr)
        targ_values.pop(k)
    targs = TrainingArguments(**targ_values)

    counters = {"tokens": 0}

    class CountingTrainer(Trainer):
        """Counts the real (non-pad) tokens of each training micro-batch for tokens/s."""

        def compute_loss(self, model, inputs, *a, **kw):  # type: ignore[override]
            if model.training and "attention_mask" in inputs:
                counters["tokens"] += int(inputs["attention_mask"].sum().item()) * world
            return super().compute_loss(model, inputs, *a, **kw)

    class EventCallback(TrainerCallback):
        def __init__(self) -> None:
            self.t0 = time.time()
            self.start_step = 0
            self.tokens0 = 0
            self.last_eval: float | None = None

        def on_train_begin(self, targs_, state, control, **kw):
            self.t0 = time.time()
            self.start_step = state.global_step
            self.tokens0 = counters["tokens"]
            emit(
                "start",
                step=state.global_step,
                total=state.max_steps,
                resumed_from=resume,
                model=model_name,
                profile=profile["name"],
                max_length=profile["max_length"],
                train=train_stats.to_json(),
                eval=eval_stats.to_json() if do_eval else None,
                pid=os.getpid(),
                device="cuda" if cuda else "cpu",
                world_size=world,
            )

        def _rates(self, state) -> tuple[float | None, float | None]:
            elapsed = max(time.time() - self.t0, 1e-9)
            done = state.global_step - self.start_step
            tps = (counters["tokens"] - self.tokens0) / elapsed if done > 0 else None
            eta = (state.max_steps - state.global_step) * elapsed / done if done > 0 else None
            return tps, eta

        def on_log(self, targs_, state, control, logs=None, **kw):
            logs = logs or {}
            if "eval_loss" in logs:
                self.last_eval = float(logs["eval_loss"])
                emit("eval", step=state.global_step, total=state.max_steps, eval_loss=self.last_eval)
                return
            if "loss" not in logs:
                return
            tps, eta = self._rates(state)
            emit(
                "log",
                step=state.global_step,
                total=state.max_steps,
                loss=float(logs["loss"]),
                eval_loss=self.last_eval,
                lr=float(logs.get("learning_rate", 0.0)),
                epoch=float(logs.get("epoch", state.epoch or 0.0)),
                grad_norm=float(logs["grad_norm"]) if logs.get("grad_norm") is not None else None,
                tokens_per_s=round(tps, 2) if tps is not None else None,
                eta_s=round(eta, 1) if eta is not None else None,
            )

        def on_step_end(self, targs_, state, control, **kw):
            if args.sleep_per_step > 0:
                time.sleep(args.sleep_per_step)

        def on_save(self, targs_, state, control, **kw):
            path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
            emit("checkpoint", step=state.global_step, path=os.path.abspath(path))
            if args.exit_after_step is not None and state.global_step == args.exit_after_step:
                emit("error", message=f"fault injection: exiting after the checkpoint of step {state.global_step}", type="FaultInjection")
                os._exit(75)

    import inspect

    tokenizer_field = "processing_class" if "processing_class" in inspect.signature(Trainer.__init__).parameters else "tokenizer"
    trainer = CountingTrainer(
        model=model,
        args=targs,
        train_dataset=ExampleDataset(train_examples),
        eval_dataset=ExampleDataset(eval_examples) if do_eval else None,
        data_collator=PadCollator(tokenizer.pad_token_id),
        callbacks=[EventCallback()],
        **{tokenizer_field: tokenizer},
    )
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    t0 = time.time()
    result = trainer.train(resume_from_checkpoint=resume)
    runtime = time.time() - t0

    final_dir = os.path.join(args.output_dir, "final")
    trainer.save_model(final_dir)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(final_dir)
        state = trainer.state
        summary = {
            "base_model": model_name,
            "profile": profile["name"],
            "steps": state.global_step,
            "epochs": state.epoch,
            "train_loss": result.training_loss,
            "best_eval_loss": state.best_metric if do_eval else None,
            "best_checkpoint": state.best_model_checkpoint,
            "eval_losses": [
                {"step": h["step"], "eval_loss": h["eval_loss"]} for h in state.log_history if "eval_loss" in h
            ],
            "hyperparameters": {
                "epochs": args.epochs,
                "max_steps": args.max_steps,
                "learning_rate": args.lr,
                "weight_decay": args.weight_decay,
                "warmup_ratio": args.warmup_ratio,
                "warmup_steps": warmup_steps,
                "scheduler": args.scheduler,
                "per_device_batch_size": profile["per_device_batch_size"],
                "gradient_accumulation_steps": profile["gradient_accumulation_steps"],
                "world_size": world,
                "max_length": profile["max_length"],
                "optim": profile["optim"],
                "bf16": profile["bf16"],
                "gradient_checkpointing": profile["gradient_checkpointing"],
                "deepspeed": os.path.basename(profile["deepspeed"]) if profile["deepspeed"] else None,
                "prompt_template": args.prompt_template,
                "seed": args.seed,
            },
            "dataset": {"train_file": train_file, "eval_file": eval_file, "train": train_stats.to_json(), "eval": eval_stats.to_json()},
        }
        with open(os.path.join(final_dir, "training_summary.json"), "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2)
        peak = round(torch.cuda.max_memory_allocated() / 2**30, 3) if cuda else None
        emit(
            "done",
            step=state.global_step,
            total=state.max_steps,
            model_dir=os.path.abspath(final_dir),
            train_loss=result.training_loss,
            best_eval_loss=summary["best_eval_loss"],
            best_checkpoint=state.best_model_checkpoint,
            runtime_s=round(runtime, 2),
            tokens=counters["tokens"],
            tokens_per_s=round(counters["tokens"] / max(runtime, 1e-9), 2),
            peak_gpu_mem_gb=peak,
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except BaseException as err:  # noqa: BLE001 - every failure becomes an error event for the launcher
        traceback.print_exc(file=sys.stderr)
        emit("error", message=f"{type(err).__name__}: {err}", type=type(err).__name__)
        sys.exit(1)
