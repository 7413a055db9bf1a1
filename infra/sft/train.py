#!/usr/bin/env python3
"""Supervised fine-tuning of a causal LM on SPRINT curation records, on TRL's SFTTrainer.

Records are prompt/completion JSONL (prompt = system instructions + <Question>, completion =
<think> + SPRINT trajectory + </think>); the loss is on the completion only, strings are rendered
without a chat template. Batches are padding-free (sequences flattened into one row, no attention
across samples) or packed (packing: true). Settings are YAML recipes that `trl sft --config` also
reads: --profile picks one of infra/sft/recipes/ (paper, released, single-gpu-80gb, cpu; auto = cpu
without CUDA, else paper), --config FILE adds yours on top, and any TRL / transformers training
argument can be given as a flag (--learning_rate 2e-5 --report_to wandb ...).

stdout carries the event stream only (sprint_sft/events.py: start, log, eval, checkpoint, done,
error; one JSON object per line); everything else goes to stderr.

Examples:
  python train.py --dataset out/dataset --output_dir runs/r1 --profile paper
  accelerate launch --config_file accelerate/zero3.yaml train.py --dataset D --output_dir O --profile paper
  python train.py --dataset D --output_dir O --tiny_qwen2 --learning_rate 3e-3     # CPU, no download
  trl sft --config recipes/paper.yaml --dataset_name D --output_dir O                # the same recipe in TRL's CLI
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from sprint_sft.errors import TrainerInputError  # noqa: E402
from sprint_sft.events import emit, take_stdout  # noqa: E402

take_stdout()


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    import transformers
    from transformers.trainer_callback import PrinterCallback, ProgressCallback
    from transformers.trainer_utils import get_last_checkpoint
    from transformers import Trainer
    from trl import SFTTrainer

    from sprint_sft.data import DataError, encode_records, find_split_files, read_records
    from sprint_sft.events import EventCallback, TokenCounter
    from sprint_sft.hf_dataset import to_hf_dataset
    from sprint_sft.host_memory import keep_freed_host_memory
    from sprint_sft.model import liger_available, load_model_and_tokenizer
    from sprint_sft.recipes import derived_settings, parse_arguments, setting

    transformers.logging.set_verbosity_warning()
    cuda = torch.cuda.is_available()
    if not cuda and keep_freed_host_memory():
        print("sprint-sft: CPU run; freed host memory is kept for the next step (sprint_sft/host_memory.py)", file=sys.stderr)
    raw = list(sys.argv[1:] if argv is None else argv)
    parsed = parse_arguments(raw, cuda)
    sprint, script, sft, model_args = parsed.sprint, parsed.script, parsed.sft, parsed.model
    if not sft.output_dir:
        raise TrainerInputError("give --output_dir (the run folder: checkpoints, final model, logs)")
    output_dir = sft.output_dir
    os.makedirs(output_dir, exist_ok=True)
    # TensorBoard logs at a fixed place in the run folder (transformers' default adds a date).
    tensorboard_dir = os.environ.setdefault("TENSORBOARD_LOGGING_DIR", os.path.join(output_dir, "tensorboard"))

    dataset_dir = sprint.dataset or script.dataset_name
    if dataset_dir:
        train_file, eval_file = find_split_files(dataset_dir)
    elif sprint.train_file:
        train_file, eval_file = sprint.train_file, None
    else:
        raise TrainerInputError("give --dataset DIR (or --dataset_name DIR) or --train_file FILE")
    if sprint.eval_file:
        eval_file = None if sprint.eval_file == "none" else sprint.eval_file
    train_records = read_records(train_file)
    eval_records = read_records(eval_file) if eval_file else []

    max_length = sft.max_length or 7168
    texts = [t for r in train_records for t in (r["prompt"], r["completion"])]
    model, tokenizer, model_name = load_model_and_tokenizer(sprint, model_args, output_dir, texts, max_length, sft.seed)
    train_examples, train_stats = encode_records(tokenizer, train_records, max_length, sprint.prompt_template)
    eval_examples, eval_stats = encode_records(tokenizer, eval_records, max_length, sprint.prompt_template)
    if not train_examples:
        raise DataError(
            f"{train_file}: no example fits max_length {max_length}: the shortest of {train_stats.records} "
            f"has {train_stats.shortest} tokens (prompt + completion); raise max_length (sprint train "
            f"--max-length) or curate shorter samples (curation.maxSampleTokens)"
        )
    do_eval = bool(eval_examples)

    flags = {a[2:].split("=")[0].replace("-", "_") for a in raw if a.startswith("--")}
    changes = derived_settings(sft, do_eval, cuda, flags, parsed.profile)
    liger = sft.use_liger_kernel or (cuda and liger_available())
    if liger and not sft.use_liger_kernel:
        changes.update(use_liger_kernel=True)
    sft = dataclasses.replace(sft, **changes)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    counter = TokenCounter(world)
    resume = None if sprint.no_resume else get_last_checkpoint(output_dir)
    report_to = list(sft.report_to) if isinstance(sft.report_to, (list, tuple)) else [sft.report_to]

    def start_fields() -> dict:
        return dict(
            resumed_from=resume,
            model=model_name,
            profile=parsed.profile,
            recipes=parsed.recipes,
            max_length=max_length,
            optim=setting(sft.optim),
            attn_implementation=model.config._attn_implementation,
            padding_free=bool(sft.padding_free or sft.packing),
            packing=bool(sft.packing),
            liger=bool(sft.use_liger_kernel),
            gradient_checkpointing=bool(sft.gradient_checkpointing),
            deepspeed=os.path.basename(sft.deepspeed) if isinstance(sft.deepspeed, str) else None,
            report_to=report_to,
            logging_dir=os.path.abspath(tensorboard_dir) if "tensorboard" in report_to else None,
            train=train_stats.to_json(),
            eval=eval_stats.to_json() if do_eval else None,
            pid=os.getpid(),
            device="cuda" if cuda else "cpu",
            world_size=world,
        )

    class CountingSFTTrainer(SFTTrainer):
        """Counts the real tokens of each training micro-batch for tokens/s."""

        def compute_loss(self, model, inputs, *a, **kw):  # type: ignore[override]
            if model.training:
                counter.count(inputs)
            if not cuda:
                # Without Triton, TRL's chunked loss head scores every position chunk by chunk and adds
                # entropy/accuracy metrics: on a CPU (tests, demo) the model's own loss took the bench
                # from 0.35 to 0.75 of the plain loop (bench/trainer). On a GPU TRL's fused head is
                # kept: it never materializes the 152k-vocabulary logits.
                inputs = {**inputs, "use_cache": False}
                return Trainer.compute_loss(self, model, inputs, *a, **kw)
            return super().compute_loss(model, inputs, *a, **kw)

    trainer = CountingSFTTrainer(
        model=model,
        args=sft,
        train_dataset=to_hf_dataset(train_examples),
        eval_dataset=to_hf_dataset(eval_examples) if do_eval else None,
        processing_class=tokenizer,
        callbacks=[EventCallback(counter, start_fields, output_dir, sprint.exit_after_step, sprint.sleep_per_step)],
    )
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    t0 = time.time()
    result = trainer.train(resume_from_checkpoint=resume)
    runtime = time.time() - t0

    final_dir = os.path.join(output_dir, "final")
    trainer.save_model(final_dir)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(final_dir)
        state = trainer.state
        summary = {
            "base_model": model_name,
            "profile": parsed.profile,
            "recipes": parsed.recipes,
            "steps": state.global_step,
            "epochs": state.epoch,
            "train_loss": result.training_loss,
            "best_eval_loss": state.best_metric if do_eval else None,
            "best_checkpoint": state.best_model_checkpoint,
            "eval_losses": [{"step": h["step"], "eval_loss": h["eval_loss"]} for h in state.log_history if "eval_loss" in h],
            # The settings that decide what was learned, as the model card shows them (optimizer by name).
            "hyperparameters": {
                "epochs": sft.num_train_epochs,
                "max_steps": sft.max_steps,
                "learning_rate": sft.learning_rate,
                "weight_decay": sft.weight_decay,
                "warmup_steps": sft.warmup_steps,
                "scheduler": setting(sft.lr_scheduler_type),
                "optim": setting(sft.optim),
                "adam_beta1": sft.adam_beta1,
                "adam_beta2": sft.adam_beta2,
                "per_device_batch_size": sft.per_device_train_batch_size,
                "gradient_accumulation_steps": sft.gradient_accumulation_steps,
                "world_size": world,
                "max_length": max_length,
                "bf16": bool(sft.bf16),
                "gradient_checkpointing": bool(sft.gradient_checkpointing),
                "padding_free": bool(sft.padding_free or sft.packing),
                "packing": bool(sft.packing),
                "attn_implementation": model.config._attn_implementation,
                "liger": bool(sft.use_liger_kernel),
                "prompt_template": sprint.prompt_template,
                "seed": sft.seed,
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
            tokens=counter.tokens,
            tokens_per_s=round(counter.tokens / max(runtime, 1e-9), 2),
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
        emit(
            "error",
            message=f"{type(err).__name__}: {err}",
            type=type(err).__name__,
            retryable=not isinstance(err, TrainerInputError),
        )
        sys.exit(1)
