"""Completion-only labels, checked token by token, on real curated-shape records."""

import json
import random

import pytest

from records import countdown_record
from sprint_sft.data import (
    IGNORE_INDEX,
    DataError,
    DatasetStats,
    PadCollator,
    encode_record,
    encode_records,
    find_split_files,
    read_records,
)
from sprint_sft.tiny import train_tokenizer


@pytest.fixture(scope="module")
def records():
    rng = random.Random(1)
    return [countdown_record(rng) for _ in range(20)]


@pytest.fixture(scope="module")
def tokenizer(records):
    return train_tokenizer((t for r in records for t in (r["prompt"], r["completion"])), vocab_size=400)


def test_labels_are_masked_outside_the_completion_token_by_token(tokenizer, records):
    for rec in records:
        ex = encode_record(tokenizer, rec["prompt"], rec["completion"], max_length=4096)
        assert ex is not None
        prompt_ids = tokenizer(rec["prompt"], add_special_tokens=False)["input_ids"]
        n_prompt = 1 + len(prompt_ids)  # BOS + prompt
        assert ex.input_ids[0] == tokenizer.bos_token_id
        assert len(ex.labels) == len(ex.input_ids)
        for i, (tok, lab) in enumerate(zip(ex.input_ids, ex.labels)):
            if i < n_prompt:
                assert lab == IGNORE_INDEX, f"prompt token {i} is not masked"
            else:
                assert lab == tok, f"completion token {i} has label {lab}, expected {tok}"
        # The learned tokens are exactly the completion followed by EOS.
        learned = [lab for lab in ex.labels if lab != IGNORE_INDEX]
        assert learned[-1] == tokenizer.eos_token_id
        assert tokenizer.decode(learned[:-1]) == rec["completion"]
        assert tokenizer.decode(ex.input_ids[1:n_prompt]) == rec["prompt"]


def test_prompt_template_is_rendered_and_masked(tokenizer, records):
    rec = records[0]
    ex = encode_record(tokenizer, rec["prompt"], rec["completion"], 4096, template="User: {prompt}\nAssistant: ")
    masked = [t for t, lab in zip(ex.input_ids, ex.labels) if lab == IGNORE_INDEX]
    assert tokenizer.decode(masked[1:]) == "User: " + rec["prompt"] + "\nAssistant: "


def test_over_long_examples_are_dropped_never_cut(tokenizer, records):
    rec = records[0]
    n_prompt = 1 + len(tokenizer(rec["prompt"], add_special_tokens=False)["input_ids"])
    n_completion = len(tokenizer(rec["completion"], add_special_tokens=False)["input_ids"]) + 1  # + EOS
    exact = n_prompt + n_completion
    stats = DatasetStats()
    # Exactly at the limit: kept whole, ending in the completion's last token and EOS.
    ex = encode_record(tokenizer, rec["prompt"], rec["completion"], max_length=exact, stats=stats)
    assert ex is not None and len(ex.input_ids) == exact
    assert ex.labels[-1] == tokenizer.eos_token_id
    # One token over (and far over): dropped, counted, never truncated.
    assert encode_record(tokenizer, rec["prompt"], rec["completion"], max_length=exact - 1, stats=stats) is None
    assert encode_record(tokenizer, rec["prompt"], rec["completion"], max_length=n_prompt + 5, stats=stats) is None
    assert stats.kept == 1 and stats.skipped == 2 and stats.records == 3
    assert stats.reasons == {"longer than max length": 2}
    assert "truncated" not in stats.to_json()


def test_encode_records_keeps_short_and_drops_long(tokenizer, records):
    lengths = [
        1 + len(tokenizer(r["prompt"], add_special_tokens=False)["input_ids"])
        + len(tokenizer(r["completion"], add_special_tokens=False)["input_ids"]) + 1
        for r in records
    ]
    limit = sorted(lengths)[len(lengths) // 2]
    examples, stats = encode_records(tokenizer, records, max_length=limit)
    assert len(examples) == sum(1 for n in lengths if n <= limit)
    assert stats.skipped == sum(1 for n in lengths if n > limit) > 0
    assert all(len(e.input_ids) <= limit and e.labels[-1] == tokenizer.eos_token_id for e in examples)


def test_collator_pads_with_ignored_labels(tokenizer, records):
    a = encode_record(tokenizer, records[0]["prompt"], records[0]["completion"], 4096)
    b = encode_record(tokenizer, records[1]["prompt"], records[1]["completion"][:40], 4096)
    batch = PadCollator(tokenizer.pad_token_id)([
        {"input_ids": a.input_ids, "labels": a.labels},
        {"input_ids": b.input_ids, "labels": b.labels},
    ])
    n = len(b.input_ids)
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape
    assert batch["attention_mask"][1, :n].tolist() == [1] * n
    assert set(batch["attention_mask"][1, n:].tolist()) <= {0}
    assert set(batch["labels"][1, n:].tolist()) <= {IGNORE_INDEX}


def test_bad_lines_are_reported_with_their_line_number(tmp_path):
    f = tmp_path / "train.jsonl"
    f.write_text(json.dumps({"prompt": "p", "completion": "c"}) + "\n" + '{"prompt": "p"}\n')
    with pytest.raises(DataError, match=r"train.jsonl:2: 'prompt' and 'completion'"):
        read_records(str(f))
    f.write_text("not json\n")
    with pytest.raises(DataError, match=r"train.jsonl:1: not valid JSON"):
        read_records(str(f))
    with pytest.raises(DataError, match="no training file"):
        find_split_files(str(tmp_path / "missing"))


def test_the_tiny_tokenizer_writes_every_digit_as_its_own_token(tokenizer, records):
    # The same number must be the same tokens wherever it stands ("[3, 15]", " 15.", "=15"), so a
    # small model can copy it from the question; BPE merges such as " 3," or "15" would break that.
    text = "Using the numbers [3, 15], make 45. 3 * 15 = 45. <prompt_1.2> 15/3=5"
    pieces = tokenizer.convert_ids_to_tokens(tokenizer(text, add_special_tokens=False)["input_ids"])
    for piece in pieces:
        assert not (any(c.isdigit() for c in piece) and len(piece) > 1), f"{piece!r} joins a digit to other text"
    assert tokenizer.decode(tokenizer(text, add_special_tokens=False)["input_ids"]) == text
    assert len([p for p in pieces if p.isdigit()]) == sum(c.isdigit() for c in text)
