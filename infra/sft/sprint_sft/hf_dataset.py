"""Encoded examples as a `datasets.Dataset` that TRL's SFTTrainer takes as already tokenized.

The columns are `input_ids` and `labels` (-100 on the prompt): TRL skips its own tokenization and
label building for such a dataset, so the prompt/completion boundary is exactly the one
`sprint_sft.data.encode_record` drew (prompt and completion tokenized separately, no chat template).
"""

from __future__ import annotations

from typing import Any

from .data import Example


def to_hf_dataset(examples: list[Example]) -> Any:
    from datasets import Dataset

    return Dataset.from_dict(
        {"input_ids": [ex.input_ids for ex in examples], "labels": [ex.labels for ex in examples]}
    )
