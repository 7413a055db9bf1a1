"""The trainer end to end on a tiny random Qwen2 (CPU): loss falls, checkpoints, resume, best model."""

import json
import os
import subprocess
import sys

import pytest

from records import write_dataset

TRAIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "train.py")


def run(dataset, out, *extra, check=True):
    proc = subprocess.run(
        [sys.executable, TRAIN, "--dataset", str(dataset), "--output_dir", str(out), "--tiny_qwen2", "--learning_rate", "3e-3", *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    if check and proc.returncode != 0:
        raise AssertionError(f"trainer failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc, events


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("dataset")
    write_dataset(str(d), n_train=48, n_test=8)
    return d


def test_stdout_is_only_json_events_and_loss_falls(dataset, tmp_path):
    proc, events = run(dataset, tmp_path / "run", "--max_steps", "24", "--save_steps", "12", "--eval_steps", "12", "--per_device_train_batch_size", "4")
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    start = events[0]
    assert start["profile"] == "cpu" and start["optim"] == "adamw_torch"
    assert start["padding_free"] is True and start["attn_implementation"] == "sdpa"
    # TensorBoard is the default reporter; its event files are in the run folder.
    assert start["report_to"] == ["tensorboard"]
    tb = tmp_path / "run" / "tensorboard"
    assert start["logging_dir"] == str(tb)
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tb))
    logs = [e for e in events if e["event"] == "log"]
    assert [e["step"] for e in logs] == list(range(1, 25))
    for e in logs:
        assert set(e) >= {"step", "total", "loss", "eval_loss", "lr", "tokens_per_s", "eta_s"}
        assert e["total"] == 24
    first = sum(e["loss"] for e in logs[:3]) / 3
    last = sum(e["loss"] for e in logs[-3:]) / 3
    assert last < first - 0.5, f"loss did not fall: {first:.3f} -> {last:.3f}"
    # Warm-up then linear decay: lr rises to its peak, then falls to the end.
    lrs = [e["lr"] for e in logs]
    peak = lrs.index(max(lrs))
    assert peak <= 3 and lrs[-1] < lrs[peak]
    # init/ is a whole model folder holding the untrained weights (the demo's "before"): it loads,
    # and training moved every parameter away from it.
    from transformers import AutoModelForCausalLM

    init = AutoModelForCausalLM.from_pretrained(tmp_path / "run" / "init")
    final = AutoModelForCausalLM.from_pretrained(tmp_path / "run" / "final")
    assert (tmp_path / "run" / "init" / "tokenizer.json").is_file()
    init_params, final_params = dict(init.named_parameters()), dict(final.named_parameters())
    assert init_params.keys() == final_params.keys()
    assert all(not init_params[k].equal(final_params[k]) for k in init_params)


def test_checkpoint_written_and_resumed_run_continues_from_its_step(dataset, tmp_path):
    out = tmp_path / "run"
    args = ["--max_steps", "6", "--save_steps", "2", "--save_total_limit", "5"]
    proc, events = run(dataset, out, *args, "--exit_after_step", "4", check=False)
    assert proc.returncode == 75
    assert [e["step"] for e in events if e["event"] == "checkpoint"] == [2, 4]
    assert (out / "checkpoint-4" / "trainer_state.json").is_file()
    assert not (out / "final").exists()

    proc, events = run(dataset, out, *args)
    start = events[0]
    assert start["event"] == "start" and start["step"] == 4
    assert start["resumed_from"].endswith("checkpoint-4")
    assert [e["step"] for e in events if e["event"] == "log"] == [5, 6]
    done = events[-1]
    assert done["event"] == "done" and done["step"] == 6
    # The best eval-loss checkpoint is what final/ holds, and it loads back.
    evals = {e["step"]: e["eval_loss"] for e in json.loads((out / "final" / "training_summary.json").read_text())["eval_losses"]}
    best_step = min(evals, key=evals.get)
    assert done["best_checkpoint"].endswith(f"checkpoint-{best_step}")
    assert done["best_eval_loss"] == pytest.approx(evals[best_step])
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(done["model_dir"])
    tok = AutoTokenizer.from_pretrained(done["model_dir"])
    assert model.config.model_type == "qwen2"
    assert tok.eos_token == "<|endoftext|>"


def test_bad_data_is_an_error_event(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"prompt": "p", "completion": 3}\n')
    proc, events = run(tmp_path, tmp_path / "run", check=False)
    assert proc.returncode == 1
    assert events[-1]["event"] == "error"
    assert "train.jsonl:1" in events[-1]["message"]


def test_single_gpu_profile_names_its_memory_saving_optimizer(dataset, tmp_path):
    proc, events = run(dataset, tmp_path / "run", "--profile", "single-gpu-80gb", "--max_steps", "2", "--report_to", "none")
    assert events[0]["profile"] == "single-gpu-80gb"
    assert events[0]["optim"] == "adafactor" and events[0]["gradient_checkpointing"] is True
    summary = json.loads((tmp_path / "run" / "final" / "training_summary.json").read_text())
    assert summary["hyperparameters"]["optim"] == "adafactor"
    assert summary["recipes"][0].endswith("recipes/single-gpu-80gb.yaml")


def test_data_no_relaunch_can_fix_is_a_non_retryable_error_naming_the_length_needed(dataset, tmp_path):
    proc, events = run(dataset, tmp_path / "run", "--max_length", "8", check=False)
    assert proc.returncode == 1
    error = events[-1]
    assert error["event"] == "error" and error["type"] == "DataError"
    assert error["retryable"] is False
    assert "no example fits max_length 8: the shortest of 48 has" in error["message"]
    assert "sprint train --max-length" in error["message"]


def test_other_failures_stay_retryable(tmp_path):
    # An error from a library (here torch's loader on a corrupt checkpoint folder) may be transient
    # (a full disk, a node's fault): the launcher still relaunches those.
    (tmp_path / "train.jsonl").write_text('{"prompt": "p", "completion": "c"}\n')
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{not json")
    proc = subprocess.run(
        [sys.executable, TRAIN, "--dataset", str(tmp_path), "--output_dir", str(tmp_path / "run"), "--model_name_or_path", str(model)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 1
    assert events[-1]["event"] == "error" and events[-1]["retryable"] is True
