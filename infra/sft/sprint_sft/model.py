"""The model and tokenizer of a run: a base model (Hub id or folder) or one built from a config."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from .errors import TrainerInputError
from .tiny import TINY_QWEN2, build_model, parse_model_config, train_tokenizer

ATTENTION_PACKAGES = {"flash_attention_2": "flash_attn", "flash_attention_3": "flash_attn_interface"}


def check_attention(implementation: str | None) -> str:
    """The attention kernel of the run (sdpa when unset); a flash kernel needs its package installed."""
    name = implementation or "sdpa"
    package = ATTENTION_PACKAGES.get(name)
    if package and importlib.util.find_spec(package) is None:
        raise TrainerInputError(
            f"--attn_implementation {name}: the {package} package is not installed "
            "(pip install flash-attn --no-build-isolation), or use sdpa"
        )
    return name


def liger_available() -> bool:
    return importlib.util.find_spec("liger_kernel") is not None


def load_model_and_tokenizer(sprint: Any, model_args: Any, output_dir: str, texts: list[str], max_length: int, seed: int):
    """Returns (model, tokenizer, name). A model built from a config trains its own tokenizer once and
    saves it under OUTPUT/init, so a resumed run uses the same one, with the untrained weights."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    attention = check_attention(model_args.attn_implementation)
    if sprint.tiny_qwen2 or sprint.model_config:
        cfg = dict(TINY_QWEN2)
        if sprint.model_config:
            cfg.update(parse_model_config(sprint.model_config))
        cfg.setdefault("attn_implementation", attention)
        init_dir = os.path.join(output_dir, "init")
        if os.path.isfile(os.path.join(init_dir, "tokenizer.json")):
            tokenizer = AutoTokenizer.from_pretrained(init_dir)
        else:
            tokenizer = train_tokenizer(texts, vocab_size=sprint.tokenizer_vocab)
            os.makedirs(init_dir, exist_ok=True)
            tokenizer.save_pretrained(init_dir)
        special = {
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        }
        model = build_model(cfg, len(tokenizer), max_length, seed, special)
        # The untrained model beside its tokenizer: a complete model folder to compare the trained one
        # against (the demo's "before"); written once, a resumed run rebuilds the same weights anyway.
        if not os.path.isfile(os.path.join(init_dir, "config.json")):
            model.save_pretrained(init_dir)
        # Train with the tokenizer as every reader of a model folder gets it: beside a Qwen2
        # config.json, AutoTokenizer loads it as Qwen2Tokenizer, whose own pre-tokenizer splits
        # whitespace and punctuation differently (".\n\n" one way in training, another in the
        # engine's prompts: the served model read token sequences it never saw in training).
        tokenizer = AutoTokenizer.from_pretrained(init_dir)
        if model_args.dtype in ("bfloat16", "float16"):
            model = model.to(getattr(torch, model_args.dtype))
        name = "tiny-qwen2" if not sprint.model_config else f"qwen2-from-config({cfg.get('num_hidden_layers', '?')} layers)"
        return model, tokenizer, name
    if not model_args.model_name_or_path:
        raise TrainerInputError("no base model: give --model_name_or_path (Hub id or folder), --tiny_qwen2 or --model_config")
    revision = model_args.model_revision
    tokenizer = AutoTokenizer.from_pretrained(model_args.model_name_or_path, revision=revision)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    dtype = model_args.dtype if model_args.dtype not in (None, "auto") else "auto"
    model = AutoModelForCausalLM.from_pretrained(
        model_args.model_name_or_path,
        revision=revision,
        dtype=getattr(torch, dtype) if dtype != "auto" else "auto",
        attn_implementation=attention,
    )
    # No KV cache in training; transformers also only detects padding-free sequence boundaries
    # from position_ids when no cache is in play.
    model.config.use_cache = False
    return model, tokenizer, model_args.model_name_or_path
