"""The trainer's event stream: one JSON object per stdout line, read by the launchers in
io/training/ (heartbeats, the progress query, search attributes). The format is a contract with
io/training/events.ts: keep the event names and fields.

  start      {"event":"start","step","total","resumed_from","model","train":{...},"eval":{...},...}
  log        {"event":"log","step","total","loss","eval_loss","lr","epoch","tokens_per_s","eta_s"}
  eval       {"event":"eval","step","total","eval_loss"}
  checkpoint {"event":"checkpoint","step","path"}
  done       {"event":"done","step","model_dir","best_eval_loss","best_checkpoint","train_loss",...}
  error      {"event":"error","message","type"}
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Callable, TextIO

from transformers import TrainerCallback

# The event stream owns the process's real stdout; `take_stdout` points sys.stdout at stderr so
# that every other print (ours or a library's) stays out of it.
_events: TextIO = sys.stdout


def take_stdout() -> None:
    global _events
    _events = sys.stdout
    sys.stdout = sys.stderr


def emit(event: str, **fields: Any) -> None:
    """Writes one JSON event line (rank 0 only) and flushes it."""
    if int(os.environ.get("RANK", "0")) != 0:
        return
    _events.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
    _events.flush()


class TokenCounter:
    """Real (non-padding) training tokens seen, summed over processes, for tokens/s."""

    def __init__(self, world_size: int) -> None:
        self.world_size = world_size
        self.tokens = 0

    def count(self, inputs: dict[str, Any]) -> None:
        mask = inputs.get("attention_mask")
        # Padding-free batches carry no mask: one flattened row of real tokens (the recipes keep
        # TRL's pad_to_multiple_of "auto", which pads nothing off Neuron hardware).
        n = int(mask.sum().item()) if mask is not None else int(inputs["input_ids"].numel())
        self.tokens += n * self.world_size


class EventCallback(TrainerCallback):
    """Turns the trainer's callbacks into events; `on_save` also hosts the tests' fault injection."""

    def __init__(
        self,
        counter: TokenCounter,
        start_fields: Callable[[], dict[str, Any]],
        output_dir: str,
        exit_after_step: int | None = None,
        sleep_per_step: float = 0.0,
    ) -> None:
        self.counter = counter
        self.start_fields = start_fields
        self.output_dir = output_dir
        self.exit_after_step = exit_after_step
        self.sleep_per_step = sleep_per_step
        self.t0 = time.time()
        self.start_step = 0
        self.tokens0 = 0
        self.last_eval: float | None = None

    def on_train_begin(self, args, state, control, **kw):
        self.t0 = time.time()
        self.start_step = state.global_step
        self.tokens0 = self.counter.tokens
        emit("start", step=state.global_step, total=state.max_steps, **self.start_fields())

    def _rates(self, state) -> tuple[float | None, float | None]:
        elapsed = max(time.time() - self.t0, 1e-9)
        done = state.global_step - self.start_step
        if done <= 0:
            return None, None
        return (self.counter.tokens - self.tokens0) / elapsed, (state.max_steps - state.global_step) * elapsed / done

    def on_log(self, args, state, control, logs=None, **kw):
        logs = logs or {}
        if "eval_loss" in logs:
            self.last_eval = float(logs["eval_loss"])
            emit("eval", step=state.global_step, total=state.max_steps, eval_loss=self.last_eval)
            return
        if "loss" not in logs:
            return
        tps, eta = self._rates(state)
        emit(
            "log",
            step=state.global_step,
            total=state.max_steps,
            loss=float(logs["loss"]),
            eval_loss=self.last_eval,
            lr=float(logs.get("learning_rate", 0.0)),
            epoch=float(logs.get("epoch", state.epoch or 0.0)),
            grad_norm=float(logs["grad_norm"]) if logs.get("grad_norm") is not None else None,
            tokens_per_s=round(tps, 2) if tps is not None else None,
            eta_s=round(eta, 1) if eta is not None else None,
            # Cumulative training tokens and seconds since this launch began: a steady-state rate
            # between two log events (bench/trainer) leaves the first steps' warm-up out.
            tokens=self.counter.tokens,
            elapsed_s=round(time.time() - self.t0, 4),
        )

    def on_step_end(self, args, state, control, **kw):
        if self.sleep_per_step > 0:
            time.sleep(self.sleep_per_step)

    def on_save(self, args, state, control, **kw):
        path = os.path.join(self.output_dir, f"checkpoint-{state.global_step}")
        emit("checkpoint", step=state.global_step, path=os.path.abspath(path))
        if self.exit_after_step is not None and state.global_step == self.exit_after_step:
            emit("error", message=f"fault injection: exiting after the checkpoint of step {state.global_step}", type="FaultInjection")
            os._exit(75)
