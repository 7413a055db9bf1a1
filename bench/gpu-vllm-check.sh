#!/usr/bin/env bash
# GPU check of the session overhead (issues 16 and 28): the overhead bench's scripted sessions through
# the platform against a real vLLM, beside the same calls in a plain in-process loop and Temporal's
# floor, with both executor prompt strategies. Per row: wall-clock / plain loop, the engine's
# prefix-cache hit rate, mean time to first token; the `reorder` rows against the `shared-prefix`
# ones; and the overhead targets of bench/overhead-targets.ts checked against the same run.
#   bash bench/gpu-vllm-check.sh [WHEELS_DIR]
# - vLLM: taken from $VLLM_PYTHON if it imports vllm, else installed into .venv-vllm from the wheels
#   in WHEELS_DIR (default $VLLM_WHEELS or ./wheels; `pip download vllm==$VLLM_VERSION -d wheels` on a
#   machine with network), else from PyPI when it can be reached.
# - Model: a 7B-shaped Qwen2 (28 layers, hidden 3584, 28 heads, 4 KV heads, vocab 152064) in dummy
#   weights (--load-format dummy: nothing downloaded), a small byte-level BPE tokenizer trained here
#   (infra/sft/sprint_sft/tiny.py), prefix caching on, prompt token details on (cached tokens).
# - Bench: bench/session-overhead.ts with BENCH_VLLM_URL (replies scripted, timed by vLLM:
#   bench/vllm-replay-engine.ts), BENCH_STRATEGIES=shared-prefix,reorder, short and paper-scale rounds.
# Needs node_modules in the checkout (npm ci) and the Temporal CLI in .tools (npm run setup:temporal).
# Prints the bench's tables; the vLLM log stays in $WORK/vllm.log on failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VLLM_VERSION=${VLLM_VERSION:-0.33.0}
WHEELS=${1:-${VLLM_WHEELS:-$ROOT/wheels}}
PORT=${VLLM_PORT:-8011}
WORK=$(mktemp -d)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

PY=${VLLM_PYTHON:-}
if [[ -z "$PY" ]] || ! "$PY" -c 'import vllm' 2>/dev/null; then
  PY="$ROOT/.venv-vllm/bin/python"
  if ! "$PY" -c 'import vllm' 2>/dev/null; then
    python3 -m venv "$ROOT/.venv-vllm"
    if [[ -d "$WHEELS" ]]; then
      "$PY" -m pip install --no-index --find-links "$WHEELS" "vllm==$VLLM_VERSION"
    else
      "$PY" -m pip install "vllm==$VLLM_VERSION"
    fi
  fi
fi
echo "gpu-vllm-check: vllm $("$PY" -c 'import vllm; print(vllm.__version__)') from $PY" >&2

# The model directory: config.json of the 7B shape + a tokenizer trained on SPRINT-shaped text.
"$PY" - "$WORK/model" "$ROOT/infra/sft" <<'PY'
import json, os, sys
out, sft = sys.argv[1], sys.argv[2]
sys.path.insert(0, sft)
from sprint_sft.tiny import train_tokenizer
os.makedirs(out)
words = "so the value is then we add check x equals term next gives sum plan execute prompt".split()
texts = [" ".join(words[(i * 7 + j) % len(words)] for j in range(200)) + f" <Plan_{i % 9}> <prompt_{i % 9}.{i % 16}> <execution_1.{i % 16}>" for i in range(400)]
train_tokenizer(texts, vocab_size=2048).save_pretrained(out)
config = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 3584,
    "intermediate_size": 18944, "num_hidden_layers": 28, "num_attention_heads": 28,
    "num_key_value_heads": 4, "vocab_size": 152064, "max_position_embeddings": 32768,
    "rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "tie_word_embeddings": False,
    "torch_dtype": "bfloat16", "hidden_act": "silu", "bos_token_id": 0, "eos_token_id": 1,
}
json.dump(config, open(os.path.join(out, "config.json"), "w"), indent=1)
PY

"$PY" -m vllm.entrypoints.openai.api_server --model "$WORK/model" --served-model-name sprint-7b-dummy \
  --load-format dummy --dtype bfloat16 --enable-prefix-caching --enable-prompt-tokens-details \
  --max-model-len 32768 --gpu-memory-utilization 0.85 --host 127.0.0.1 --port "$PORT" \
  >"$WORK/vllm.log" 2>&1 &
VLLM_PID=$!
trap 'kill $VLLM_PID 2>/dev/null || true; wait $VLLM_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null; then break; fi
  if ! kill -0 $VLLM_PID 2>/dev/null; then
    echo "gpu-vllm-check: vLLM exited; last lines of $WORK/vllm.log:" >&2
    tail -40 "$WORK/vllm.log" >&2
    exit 1
  fi
  sleep 2
done
curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null || { echo "gpu-vllm-check: vLLM not up after 10 min" >&2; tail -40 "$WORK/vllm.log" >&2; exit 1; }

BENCH_VLLM_URL="http://127.0.0.1:$PORT/v1" BENCH_VLLM_MODEL=sprint-7b-dummy \
  BENCH_STRATEGIES=${BENCH_STRATEGIES:-shared-prefix,reorder} BENCH_SCALES=${BENCH_SCALES:-1,2.5} \
  BENCH_REPEATS=${BENCH_REPEATS:-2} npx tsx bench/session-overhead.ts
