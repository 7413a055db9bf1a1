"""The tokenizer of a model built from a config: the trainer must tokenize exactly as every later
reader of the model folder (the engine, the probe, a resumed run) does, and the SPRINT tags are one
token up to their number."""

import random
import types

from transformers import AutoTokenizer

from records import countdown_record
from sprint_sft.model import load_model_and_tokenizer


def _run(tmp_path):
    rng = random.Random(5)
    records = [countdown_record(rng) for _ in range(4)]
    texts = [t for r in records for t in (r["prompt"], r["completion"])]
    sprint = types.SimpleNamespace(
        tiny_qwen2=True, model_config=None, tokenizer_vocab=400
    )
    model_args = types.SimpleNamespace(attn_implementation=None, dtype=None)
    _, tok, _ = load_model_and_tokenizer(sprint, model_args, str(tmp_path), texts, 512, 1)
    return records, tok


def test_trains_with_the_tokenizer_its_model_folder_loads_as(tmp_path):
    records, tok = _run(tmp_path)
    folder = AutoTokenizer.from_pretrained(tmp_path / "init")
    # Whitespace after punctuation is where a Qwen2 pre-tokenizer and the trained one disagreed.
    for text in [r["prompt"] + r["completion"] for r in records] + ["Use 3, 5 to make 8.\n\nLet me try 3 + 5.\n\n<prompt_1.1>"]:
        assert tok(text)["input_ids"] == folder(text)["input_ids"], text[:80]


def test_tags_are_one_token_up_to_their_number(tmp_path):
    _, tok = _run(tmp_path)
    pieces = [tok.decode([i]) for i in tok("<Plan_2>\n<prompt_2.1> x </prompt_2.1>\n</Plan_2>", add_special_tokens=False)["input_ids"]]
    assert pieces[:3] == ["<Plan_", "2", ">"]
    assert "<prompt_" in pieces and "</prompt_" in pieces and "</Plan_" in pieces
