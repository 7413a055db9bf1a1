"""Dataset side of the trainer: reading curation records and turning them into masked examples.

A record is one JSON object per line with two strings, ``prompt`` and ``completion`` (the curation
output of the sprint platform: prompt = system instructions + ``<Question>``, completion =
``<think>\\n`` + SPRINT trajectory + ``\\n</think>``). The strings are rendered and tokenized here,
without any chat template, and the loss is taken on the completion tokens only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable

from .errors import TrainerInputError

IGNORE_INDEX = -100


class DataError(TrainerInputError):
    """Bad input data: the message says which file and line."""


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]


@dataclass
class DatasetStats:
    records: int = 0
    kept: int = 0
    skipped: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # The shortest record in tokens (prompt + completion), kept or not: what max_length must reach
    # when no record fits.
    shortest: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "kept": self.kept,
            "skipped": self.skipped,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "skip_reasons": self.reasons,
        }


def read_records(path: str) -> list[dict[str, str]]:
    """Reads a JSONL file of {prompt, completion} records; a bad line is an error naming the line."""
    records: list[dict[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"{path}:{number}: not valid JSON ({err.msg})") from None
            if not isinstance(obj, dict):
                raise DataError(f"{path}:{number}: expected an object with prompt and completion")
            prompt, completion = obj.get("prompt"), obj.get("completion")
            if not isinstance(prompt, str) or not isinstance(completion, str):
                raise DataError(f"{path}:{number}: 'prompt' and 'completion' must both be strings")
            if not completion:
                raise DataError(f"{path}:{number}: 'completion' is empty (nothing to learn)")
            records.append({"prompt": prompt, "completion": completion})
    if not records:
        raise DataError(f"{path}: no records")
    return records


def find_split_files(dataset_dir: str) -> tuple[str, str | None]:
    """Finds the train (required) and test (optional) JSONL files of a curated dataset folder.

    Looks for ``train.jsonl``/``test.jsonl`` in ``DIR/sprint/``, then in ``DIR`` itself (also
    ``sprint_train.jsonl``/``sprint_test.jsonl``), so both a whole curation output folder and a
    folder holding just the two files work.
    """
    candidates = [
        (os.path.join(dataset_dir, "sprint", "train.jsonl"), os.path.join(dataset_dir, "sprint", "test.jsonl")),
        (os.path.join(dataset_dir, "train.jsonl"), os.path.join(dataset_dir, "test.jsonl")),
        (os.path.join(dataset_dir, "sprint_train.jsonl"), os.path.join(dataset_dir, "sprint_test.jsonl")),
        (os.path.join(dataset_dir, "sprint.train.jsonl"), os.path.join(dataset_dir, "sprint.test.jsonl")),
    ]
    for train, test in candidates:
        if os.path.isfile(train):
            return train, test if os.path.isfile(test) else None
    raise DataError(
        f"{dataset_dir}: no training file found (looked for sprint/train.jsonl, train.jsonl, "
        "sprint_train.jsonl, sprint.train.jsonl)"
    )


def render_prompt(template: str, prompt: str) -> str:
    """Applies the prompt template (``{prompt}`` is replaced; default: the prompt as it is)."""
    return template.replace("{prompt}", prompt)


def encode_record(
    tokenizer: Any,
    prompt: str,
    completion: str,
    max_length: int,
    template: str = "{prompt}",
    stats: DatasetStats | None = None,
) -> Example | None:
    """Tokenizes one record: BOS (when the tokenizer has one) + prompt + completion + EOS.

    Prompt and completion are tokenized separately, so the boundary is exact: every prompt token
    gets the label IGNORE_INDEX, every completion token (and the EOS) is its own label. An example
    longer than max_length is dropped, never cut (counted in stats as skipped): cutting would train
    the model on a trajectory without its final answer and end token, which the released SPRINT
    training also avoided (its samples longer than the max length were dropped). Curation drops such
    samples first; this is the second guard.
    """
    prompt_ids: list[int] = tokenizer(render_prompt(template, prompt), add_special_tokens=False)["input_ids"]
    completion_ids: list[int] = tokenizer(completion, add_special_tokens=False)["input_ids"]
    if getattr(tokenizer, "bos_token_id", None) is not None and getattr(tokenizer, "add_bos_token", True):
        prompt_ids = [tokenizer.bos_token_id, *prompt_ids]
    if tokenizer.eos_token_id is not None:
        completion_ids = [*completion_ids, tokenizer.eos_token_id]
    length = len(prompt_ids) + len(completion_ids)
    if stats is not None:
        stats.records += 1
        stats.shortest = length if stats.shortest is None else min(stats.shortest, length)
    if length > max_length:
        if stats is not None:
            reason = "longer than max length"
            stats.skipped += 1
            stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
        return None
    if stats is not None:
        stats.kept += 1
        stats.prompt_tokens += len(prompt_ids)
        stats.completion_tokens += len(completion_ids)
    return Example(
        input_ids=prompt_ids + completion_ids,
        labels=[IGNORE_INDEX] * len(prompt_ids) + list(completion_ids),
    )


def encode_records(
    tokenizer: Any, records: Iterable[dict[str, str]], max_length: int, template: str = "{prompt}"
) -> tuple[list[Example], DatasetStats]:
    stats = DatasetStats()
    examples = []
    for rec in records:
        ex = encode_record(tokenizer, rec["prompt"], rec["completion"], max_length, template, stats)
        if ex is not None:
            examples.append(ex)
    return examples, stats


class ExampleDataset:
    """A list of examples as a torch-style map dataset (dicts of token id lists)."""

    def __init__(self, examples: list[Example]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        ex = self.examples[i]
        return {"input_ids": ex.input_ids, "labels": ex.labels}


class PadCollator:
    """Right-pads a batch: input_ids with the pad id, labels with IGNORE_INDEX, an attention mask."""

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int | None = None):
        self.pad_token_id = pad_token_id
        self.pad_to_multiple_of = pad_to_multiple_of

    def __call__(self, features: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        longest = max(len(f["input_ids"]) for f in features)
        if self.pad_to_multiple_of:
            m = self.pad_to_multiple_of
            longest = (longest + m - 1) // m * m
        ids, labels, mask = [], [], []
        for f in features:
            n = len(f["input_ids"])
            pad = longest - n
            ids.append(f["input_ids"] + [self.pad_token_id] * pad)
            labels.append(f["labels"] + [IGNORE_INDEX] * pad)
            mask.append([1] * n + [0] * pad)
        return {
            "input_ids": torch.tensor(ids, dtype=torch.long),
            "labels": torch.tensor(labels, dtype=torch.long),
            "attention_mask": torch.tensor(mask, dtype=torch.long),
        }
