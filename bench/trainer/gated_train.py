#!/usr/bin/env python3
"""infra/sft/train.py, unchanged, with the bench's step gate (gate.py) added as one more trainer
callback: the trainer waits at the start of every optimizer step (after its batch is fetched) and
signals the end of training. Arguments are train.py's."""

from __future__ import annotations

import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import ROOT  # noqa: E402
from gate import Gate  # noqa: E402


def main() -> None:
    import transformers
    from transformers import TrainerCallback

    gate = Gate()

    class GateCallback(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            gate.wait()

        def on_train_end(self, args, state, control, **kw):
            gate.finish()

    # Every Trainer built in this process gets the gate (train.py builds exactly one).
    original_init = transformers.Trainer.__init__

    def init_with_gate(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.add_callback(GateCallback())

    transformers.Trainer.__init__ = init_with_gate
    train = os.path.join(ROOT, "infra", "sft", "train.py")
    sys.argv = [train, *sys.argv[1:]]
    runpy.run_path(train, run_name="__main__")


if __name__ == "__main__":
    main()
