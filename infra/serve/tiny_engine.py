#!/usr/bin/env python3
"""A small OpenAI-compatible completion server for a local model folder (transformers, CPU or GPU).

Enough for the SPRINT loop against a trained small model (the offline demo); real serving uses
vLLM or SGLang. Endpoints: GET /v1/models, GET /health, POST /v1/completions with prompt (string or
a one-element list), max_tokens, temperature (0 = greedy), top_p, seed, stop (string or list; the
stop string is cut from the text unless include_stop_str_in_output), stream (server-sent events,
with usage in the last chunk when stream_options.include_usage), and usage counts.

  python infra/serve/tiny_engine.py --model runs/r1/final --port 8000 [--served-model-name sprint]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator


class RequestError(ValueError):
    """A bad request: answered with HTTP 400 and an OpenAI-style error body."""


class Engine:
    """Loads a model folder and generates token by token with a KV cache.

    Requests run concurrently, one server thread each: every generation keeps its own KV cache and
    generator, the model's weights are only read (eval mode, no_grad, which is per thread), and
    torch releases the GIL inside its kernels, so a plan's executors really run side by side."""

    def __init__(
        self,
        model_dir: str,
        served_name: str,
        device: str | None = None,
        max_context: int | None = None,
        cpu_threads: int | None = 1,
    ):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if self.device == "cpu" and cpu_threads:
            # A small model's kernels are too short to split across threads: torch's intra-op pool
            # only adds synchronisation (measured on a loaded 2-core host: 12-29 ms a token with one
            # thread, 58-90 ms with two). Concurrent requests still run side by side, each on its
            # own server thread (the GIL is released inside the kernels).
            torch.set_num_threads(cpu_threads)
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        import transformers

        dtype_key = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
        self.model = AutoModelForCausalLM.from_pretrained(model_dir, **{dtype_key: dtype}).to(self.device).eval()
        self.served_name = served_name
        self.max_context = max_context
        self.created = int(time.time())
        # transformers 5 calls the KV cache `cache`; older versions `past_key_values`.
        import inspect

        params = inspect.signature(self.model.forward).parameters
        self.cache_arg = "cache" if "cache" in params else "past_key_values"

    def encode(self, prompt: str) -> list[int]:
        ids: list[int] = self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        bos = getattr(self.tokenizer, "bos_token_id", None)
        if bos is not None and getattr(self.tokenizer, "add_bos_token", True):
            ids = [bos, *ids]
        return ids

    def generate(self, req: dict[str, Any]) -> Iterator[tuple[str, str | None, dict[str, int]]]:
        """Yields (text delta, finish reason or None, usage) as tokens are produced."""
        torch = self.torch
        prompt = req.get("prompt", "")
        if isinstance(prompt, list):
            if len(prompt) != 1 or not isinstance(prompt[0], str):
                raise RequestError("prompt: this engine takes one string prompt per request")
            prompt = prompt[0]
        if not isinstance(prompt, str):
            raise RequestError("prompt: expected a string")
        max_tokens = req.get("max_tokens", 16)
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise RequestError("max_tokens: expected a positive integer")
        temperature = float(req.get("temperature", 1.0) if req.get("temperature") is not None else 1.0)
        top_p = float(req.get("top_p", 1.0) if req.get("top_p") is not None else 1.0)
        stop = req.get("stop") or []
        if isinstance(stop, str):
            stop = [stop]
        if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
            raise RequestError("stop: expected a string or a list of non-empty strings")
        include_stop = bool(req.get("include_stop_str_in_output", False))
        if self.max_context is not None:
            max_tokens = min(max_tokens, max(1, self.max_context - len(self.encode(prompt))))
        generator = torch.Generator(device=self.device)
        generator.manual_seed(int(req["seed"]) if req.get("seed") is not None else int.from_bytes(os.urandom(4), "little"))

        ids = self.encode(prompt)
        usage = {"prompt_tokens": len(ids), "completion_tokens": 0, "total_tokens": len(ids)}
        hold = max((len(s) for s in stop), default=1) - 1
        out_ids: list[int] = []
        sent = 0
        eos = self.tokenizer.eos_token_id
        with torch.no_grad():
            past = None
            step_input = torch.tensor([ids], device=self.device)
            finish: str | None = None
            text = ""
            while finish is None:
                out = self.model(input_ids=step_input, use_cache=True, **{self.cache_arg: past})
                past = getattr(out, "cache", None) or getattr(out, "past_key_values", None)
                logits = out.logits[0, -1].float()
                if temperature <= 0:
                    next_id = int(torch.argmax(logits))
                else:
                    probs = torch.softmax(logits / temperature, dim=-1)
                    if top_p < 1.0:
                        sorted_p, order = torch.sort(probs, descending=True)
                        keep = torch.cumsum(sorted_p, dim=-1) - sorted_p < top_p
                        probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_p[keep])
                    next_id = int(torch.multinomial(probs, 1, generator=generator))
                if next_id == eos:
                    finish = "stop"
                    break
                out_ids.append(next_id)
                usage["completion_tokens"] = len(out_ids)
                text = self.tokenizer.decode(out_ids, skip_special_tokens=False)
                hit = min(((text.find(s), s) for s in stop if s in text), default=None)
                if hit is not None:
                    cut, matched = hit
                    text = text[: cut + (len(matched) if include_stop else 0)]
                    finish = "stop"
                    break
                if len(out_ids) >= max_tokens:
                    finish = "length"
                    break
                safe = len(text) - hold if stop else len(text)
                # Never split a multi-byte character that is still being decoded.
                while safe > sent and text[safe - 1] == "\ufffd":
                    safe -= 1
                if safe > sent:
                    yield text[sent:safe], None, usage
                    sent = safe
                step_input = torch.tensor([[next_id]], device=self.device)
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            yield text[sent:], finish, usage


def make_handler(engine: Engine) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: Any) -> None:  # quiet by default
            if os.environ.get("TINY_ENGINE_LOG"):
                sys.stderr.write("tiny-engine: " + fmt % args + "\n")

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
            self._json(status, {"error": {"message": message, "type": kind, "code": status}})

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._json(200, {"object": "list", "data": [{"id": engine.served_name, "object": "model", "created": engine.created, "owned_by": "sprint"}]})
            elif self.path in ("/health", "/v1/health"):
                self._json(200, {"status": "ok"})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self) -> None:  # noqa: N802
            if self.path.rstrip("/") not in ("/v1/completions", "/completions"):
                self._error(404, f"no route {self.path} (this engine serves /v1/completions)")
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                req = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(req, dict):
                    raise RequestError("body: expected a JSON object")
                model = req.get("model")
                if model is not None and model != engine.served_name:
                    self._error(404, f"model '{model}' is not served here (serving '{engine.served_name}')", "not_found_error")
                    return
                rid = "cmpl-" + uuid.uuid4().hex[:24]
                if req.get("stream"):
                    self._stream(rid, req)
                    return
                text, finish, usage = "", None, {}
                for delta, fin, use in engine.generate(req):
                    text += delta
                    finish, usage = fin or finish, dict(use)
                self._json(200, {
                    "id": rid,
                    "object": "text_completion",
                    "created": int(time.time()),
                    "model": engine.served_name,
                    "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
                    "usage": usage,
                })
            except (RequestError, json.JSONDecodeError) as err:
                self._error(400, str(err))
            except Exception as err:  # noqa: BLE001 - a failed generation is a 500 for the client to retry
                self._error(500, f"{type(err).__name__}: {err}", "server_error")

        def _stream(self, rid: str, req: dict[str, Any]) -> None:
            include_usage = bool((req.get("stream_options") or {}).get("include_usage"))
            gen = engine.generate(req)
            first = next(gen)  # raises RequestError before any byte is sent
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

            def chunk(delta: str, finish: str | None, usage: dict[str, int] | None) -> None:
                body: dict[str, Any] = {
                    "id": rid, "object": "text_completion", "created": int(time.time()), "model": engine.served_name,
                    "choices": [{"index": 0, "text": delta, "finish_reason": finish, "logprobs": None}],
                }
                if usage is not None:
                    body["usage"] = usage
                self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())
                self.wfile.flush()

            for delta, finish, usage in [first, *gen]:
                chunk(delta, finish, dict(usage) if finish and include_usage else None)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


def serve(engine: Engine, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(engine))
    server.daemon_threads = True
    return server


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="model folder (config.json, weights, tokenizer)")
    p.add_argument("--served-model-name", default=None, help="model id in requests and /v1/models (default: folder name)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--device", default=None)
    p.add_argument("--max-context", type=int, default=None, help="cap prompt + completion tokens")
    p.add_argument(
        "--cpu-threads",
        type=int,
        default=1,
        help="torch intra-op threads per request on a CPU (0: torch's default); requests run in parallel anyway",
    )
    p.add_argument(
        "--wait-for-model",
        type=float,
        default=0,
        help="seconds to wait for the model folder to appear (a pipeline still training/publishing it)",
    )
    args = p.parse_args()
    deadline = time.time() + args.wait_for_model
    marker = os.path.join(args.model, "config.json")

    def complete() -> bool:
        # A folder still being written (published) is usable once config, weights and tokenizer are there.
        if not os.path.isdir(args.model):
            return False
        names = set(os.listdir(args.model))
        weights = any(n.endswith((".safetensors", ".bin")) and not n.startswith("training_args") for n in names)
        return "config.json" in names and "tokenizer_config.json" in names and weights

    waited = False
    while not complete() and time.time() < deadline:
        waited = True
        time.sleep(2)
    if waited:
        time.sleep(2)
    if not os.path.isfile(marker):
        sys.exit(f"tiny-engine: {args.model} is not a model folder (no config.json)")
    name = args.served_model_name or os.path.basename(os.path.abspath(args.model))
    engine = Engine(args.model, name, args.device, args.max_context, args.cpu_threads)
    server = serve(engine, args.host, args.port)
    host, port = server.server_address[:2]
    # One machine-readable line so a launcher learns the port (with --port 0).
    print(json.dumps({"event": "listening", "baseUrl": f"http://{host}:{port}/v1", "model": name}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
