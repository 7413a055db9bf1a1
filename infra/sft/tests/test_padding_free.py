"""Padding-free batches: sequences flattened into one row must not attend to each other, so the
loss of a flattened batch equals the losses of its sequences computed one by one."""

import random

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

from records import countdown_record
from sprint_sft.data import encode_record
from sprint_sft.tiny import TINY_QWEN2, train_tokenizer


def test_flattened_batch_has_the_loss_of_its_sequences_one_by_one():
    rng = random.Random(3)
    records = [countdown_record(rng) for _ in range(3)]
    tok = train_tokenizer((t for r in records for t in (r["prompt"], r["completion"])), vocab_size=300)
    examples = [encode_record(tok, r["prompt"], r["completion"], 4096) for r in records]
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(Qwen2Config(**TINY_QWEN2, vocab_size=len(tok), use_cache=False, attn_implementation="sdpa")).eval()
    features = [{"input_ids": e.input_ids, "labels": e.labels} for e in examples]
    batch = DataCollatorForLanguageModeling(pad_token_id=tok.pad_token_id, padding_free=True)(features)
    assert batch["input_ids"].shape[0] == 1 and "attention_mask" not in batch
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"]).logits[0]
        offset = 0
        for e in examples:
            alone = model(input_ids=torch.tensor([e.input_ids])).logits[0]
            n = len(e.input_ids)
            # The same logits token by token: nothing leaked in from the earlier sequences.
            torch.testing.assert_close(logits[offset : offset + n], alone, atol=1e-4, rtol=1e-4)
            offset += n
    # Labels: prompt tokens and the first token of every sequence are ignored, completion kept.
    labels = batch["labels"][0].tolist()
    expected = []
    for e in examples:
        expected += [-100] + e.labels[1:]
    assert labels == expected
