"""A model built from a config instead of downloaded: a randomly initialised Qwen2 causal LM and a
small byte-level BPE tokenizer trained on the run's own data. Used by the CPU tests, the offline
demo and the GPU check (a 7B-shaped layer stack cut to a few layers)."""

from __future__ import annotations

import json
import os
from typing import Any, Iterable

from .errors import TrainerInputError

# A tiny Qwen2: same architecture as DeepSeek-R1-Distill-Qwen-7B (GQA attention, SwiGLU MLP,
# RMSNorm, rotary embeddings, biases on q/k/v), a few hundred thousand parameters.
TINY_QWEN2: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "tie_word_embeddings": True,
}

# The DeepSeek-R1-Distill-Qwen-7B shape (28 layers in the real model).
QWEN2_7B_SHAPE: dict[str, Any] = {
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "tie_word_embeddings": False,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-6,
}

SPECIAL_TOKENS = ["<|endoftext|>", "<|begin_of_text|>", "<|pad|>"]

# The SPRINT tags (docs/sprint-format.md#tag-format) up to their number, one token each. Byte-level BPE splits
# `<prompt_1.1>` at every punctuation mark into 7 tokens, so the tags were ~45% of a terse demo
# sample; as single tokens (the phase and prompt numbers stay digits) a sample is ~20% shorter and
# the loss weighs the content the model must learn (the question's numbers, the arithmetic) more.
# Ordinary (not special) tokens: decoding keeps them, so the stop strings and the parser see the tags.
TAG_TOKENS = [
    f"{close}{tag}"
    for tag in ("think>", "Question>", "Final_answer>", "Plan_", "Execution_", "execution_", "prompt_")
    for close in ("<", "</")
]


def parse_model_config(value: str) -> dict[str, Any]:
    """`--model-config`: inline JSON or a path to a JSON file."""
    text = value
    if not value.lstrip().startswith("{"):
        if not os.path.isfile(value):
            raise TrainerInputError(f"--model-config: {value} is neither inline JSON nor a file")
        with open(value, encoding="utf-8") as fh:
            text = fh.read()
    try:
        cfg = json.loads(text)
    except json.JSONDecodeError as err:
        raise TrainerInputError(f"--model-config: not valid JSON ({err.msg} at position {err.pos})") from None
    if not isinstance(cfg, dict):
        raise TrainerInputError("--model-config: expected a JSON object of Qwen2Config fields")
    return cfg


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1024) -> Any:
    """Trains a byte-level BPE tokenizer on the given texts (every string stays encodable)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    # Every digit its own token (no merges such as " 3," or "15"): the same number is then the same
    # tokens in the question, the plans and the executions, so a small model learns to copy numbers
    # and to do digit arithmetic instead of memorising one token per spelling of each number.
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_tokens(TAG_TOKENS)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|endoftext|>",
        bos_token="<|begin_of_text|>",
        pad_token="<|pad|>",
    )
    fast.add_bos_token = True
    return fast


def build_model(
    model_config: dict[str, Any], vocab_size: int, max_length: int, seed: int, special_ids: dict[str, int] | None = None
) -> Any:
    """A randomly initialised Qwen2ForCausalLM from config fields (vocab at least the tokenizer's)."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    fields = dict(model_config)
    fields["vocab_size"] = max(int(fields.get("vocab_size", 0)), vocab_size)
    fields.setdefault("max_position_embeddings", max(max_length, 32))
    fields.setdefault("use_cache", False)
    for key, value in (special_ids or {}).items():
        fields.setdefault(key, value)
    torch.manual_seed(seed)
    config = Qwen2Config(**fields)
    return Qwen2ForCausalLM(config)
