#!/usr/bin/env bash
# GPU check of the trainer: ~20 optimizer steps in bf16 on one GPU with a 7B-shaped Qwen2 layer stack
# (hidden 3584, intermediate 18944, 28 heads, 4 KV heads, vocab 152064) cut to 2 layers, random init,
# synthetic records, max length 2048, the single-gpu-80gb profile (bf16 autocast, gradient
# checkpointing, Adafactor). Needs only torch + transformers (+ tokenizers, which transformers
# brings); no network, no TRL, no DeepSpeed. Prints one JSON line with peak memory and tokens/s.
#   bash infra/sft/gpu_check.sh            (PYTHON=... to choose the interpreter; STEPS=20)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
  if [[ -x "$HERE/../../.venv/bin/python" ]]; then PY="$HERE/../../.venv/bin/python"; else PY=python3; fi
fi
STEPS=${STEPS:-20}
if ! "$PY" -c 'import torch, transformers' 2>/dev/null; then
  echo "gpu_check: $PY lacks torch or transformers (pip install -r infra/sft/requirements.txt, or PYTHON=...)" >&2
  exit 2
fi
"$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' ||
  echo "gpu_check: warning: no CUDA device visible; this runs on the CPU and will be slow" >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

"$PY" - "$WORK/data" <<'PY'
import json, os, random, sys
out = sys.argv[1]; os.makedirs(out)
rng = random.Random(0)
words = "plan execute prompt result number target verify case branch sum product check answer".split()
def rec():
    q = " ".join(rng.choice(words) for _ in range(60))
    body = "\n".join(
        f"<execution_1.{k}>\n" + " ".join(f"{rng.choice(words)} {rng.randint(0, 999)}" for _ in range(120)) + f"\n</execution_1.{k}>"
        for k in range(1, 12))
    return {"prompt": f"<Question>\n{q}\n</Question>\n\n", "completion": f"<think>\n<Plan_1>\n{q}\n</Plan_1>\n\n{body}\n</think>"}
with open(f"{out}/train.jsonl", "w") as fh:
    for _ in range(64): fh.write(json.dumps(rec()) + "\n")
PY

MODEL_CONFIG=${MODEL_CONFIG:-'{"hidden_size":3584,"intermediate_size":18944,"num_hidden_layers":2,"num_attention_heads":28,"num_key_value_heads":4,"vocab_size":152064,"tie_word_embeddings":false,"rope_theta":10000.0,"rms_norm_eps":1e-6}'}
start=$(date +%s)
set +e
"$PY" "$HERE/train.py" --dataset "$WORK/data" --eval-file none --output-dir "$WORK/run" \
  --model-config "$MODEL_CONFIG" --tokenizer-vocab 4096 --profile single-gpu-80gb \
  --max-length "${MAX_LENGTH:-2048}" --gradient-accumulation-steps 1 --max-steps "$STEPS" --save-steps 100000 \
  --lr 1e-5 >"$WORK/events.jsonl" 2>"$WORK/stderr.txt"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  echo "gpu_check: trainer failed (exit $rc); last lines of its stderr:" >&2
  tail -40 "$WORK/stderr.txt" >&2
  tail -3 "$WORK/events.jsonl" >&2
  exit $rc
fi
"$PY" - "$WORK/events.jsonl" "$(( $(date +%s) - start ))" <<'PY'
import json, sys
import torch
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
start = next(e for e in events if e["event"] == "start")
done = next(e for e in events if e["event"] == "done")
logs = [e for e in events if e["event"] == "log"]
steady = [e["tokens_per_s"] for e in logs[len(logs) // 2:] if e.get("tokens_per_s")]
print(json.dumps({
    "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    "torch": torch.__version__,
    "profile": start["profile"], "device": start["device"], "max_length": start["max_length"],
    "steps": done["step"], "tokens": done["tokens"],
    "tokens_per_s_overall": done["tokens_per_s"],
    "tokens_per_s_last_log": steady[-1] if steady else None,
    "peak_gpu_mem_gb": done["peak_gpu_mem_gb"],
    "first_loss": logs[0]["loss"] if logs else None, "last_loss": logs[-1]["loss"] if logs else None,
    "wall_s": int(sys.argv[2]),
}))
PY
