"""The tiny engine against a real (tiny, random) Qwen2 folder: models, completions, stop, usage, stream."""

import json
import os
import sys
import threading
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "sft"))

from sprint_sft.tiny import TINY_QWEN2, build_model, train_tokenizer  # noqa: E402
from tiny_engine import Engine, serve  # noqa: E402

TEXTS = ["<Plan_1>\nCompute 3 * 4 and 5 + 6.\n<prompt_1.1> 3 * 4 </prompt_1.1>\n</Plan_1>\n", "The answer is \\boxed{12}."] * 20


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    tok = train_tokenizer(TEXTS, vocab_size=300)
    ids = {"bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id}
    model = build_model(TINY_QWEN2, len(tok), 256, seed=3, special_ids=ids)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return Engine(str(folder), "tiny")


@pytest.fixture(scope="module")
def base_url(engine):
    server = serve(engine, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read().decode()


def test_models_lists_the_served_name(base_url):
    with urllib.request.urlopen(base_url + "/models") as resp:
        assert [m["id"] for m in json.load(resp)["data"]] == ["tiny"]


def test_completion_honours_max_tokens_stop_and_reports_usage(base_url):
    prompt = "<Plan_1>\nCompute"
    full = json.loads(post(base_url + "/completions", {"model": "tiny", "prompt": prompt, "max_tokens": 24, "temperature": 0}))
    choice, usage = full["choices"][0], full["usage"]
    text = choice["text"]
    if choice["finish_reason"] == "length":
        assert usage["completion_tokens"] == 24
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert len(text) >= 6, f"greedy output too short to test stops: {text!r}"
    # A stop string taken from the middle of the greedy output cuts the text just before it.
    stop = text[3:6]
    cut = json.loads(post(base_url + "/completions", {"prompt": prompt, "max_tokens": 24, "temperature": 0, "stop": ["\u0000never", stop]}))
    assert cut["choices"][0]["text"] == text[: text.index(stop)]
    assert cut["choices"][0]["finish_reason"] == "stop"
    assert cut["usage"]["completion_tokens"] < usage["completion_tokens"] or choice["finish_reason"] == "stop"
    kept = json.loads(post(base_url + "/completions", {"prompt": prompt, "max_tokens": 24, "temperature": 0, "stop": stop, "include_stop_str_in_output": True}))
    assert kept["choices"][0]["text"] == text[: text.index(stop) + len(stop)]


def test_sampling_with_a_seed_is_repeatable(base_url):
    body = {"prompt": "The answer", "max_tokens": 10, "temperature": 0.9, "seed": 11}
    a = json.loads(post(base_url + "/completions", body))["choices"][0]["text"]
    b = json.loads(post(base_url + "/completions", body))["choices"][0]["text"]
    assert a == b


def test_stream_delivers_the_same_text_with_usage_last(base_url):
    body = {"prompt": "<Plan_1>\nCompute", "max_tokens": 16, "temperature": 0}
    plain = json.loads(post(base_url + "/completions", body))
    raw = post(base_url + "/completions", {**body, "stream": True, "stream_options": {"include_usage": True}})
    chunks = [json.loads(line[6:]) for line in raw.split("\n\n") if line.startswith("data: {")]
    assert raw.rstrip().endswith("data: [DONE]")
    assert "".join(c["choices"][0]["text"] for c in chunks) == plain["choices"][0]["text"]
    assert chunks[-1]["usage"] == plain["usage"]


def test_bad_requests_are_400_and_unknown_models_404(base_url):
    with pytest.raises(urllib.error.HTTPError) as err:
        post(base_url + "/completions", {"prompt": "x", "max_tokens": 0})
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as err:
        post(base_url + "/completions", {"model": "other", "prompt": "x"})
    assert err.value.code == 404


def test_a_request_runs_while_another_is_mid_generation(engine):
    """A generation suspended between two tokens (a stream whose reader is slow) must not hold the
    engine: another request, from another thread, completes meanwhile (executors run side by side)."""
    first = engine.generate({"prompt": "<Plan_1>", "max_tokens": 40, "temperature": 0})
    next(first)  # the first generation now sits between two tokens
    done = threading.Event()
    result = {}

    def second():
        result["chunks"] = list(engine.generate({"prompt": "The answer", "max_tokens": 8, "temperature": 0}))
        done.set()

    threading.Thread(target=second, daemon=True).start()
    assert done.wait(30), "the second request waited for the first to finish"
    assert result["chunks"][-1][1] in ("stop", "length")
    rest = list(first)
    assert rest == [] or rest[-1][1] in ("stop", "length")
