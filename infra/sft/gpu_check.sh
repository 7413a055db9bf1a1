#!/usr/bin/env bash
# GPU check of the trainer, one command (bench/trainer/bench.py three times): the project's trainer
# against a plain PyTorch loop on the same model shape, data, batches, optimizer and precision.
#   1. the DeepSeek-R1-Distill-Qwen-7B shape cut to 2 layers, 4,096 tokens/sample, AdamW (fused), bf16
#   2. the same at 7,168 tokens/sample
#   3. the full 7B shape at 7,168 tokens, one GPU, bf16 weights, gradient checkpointing, Adafactor
#      (the single-gpu-80gb profile's optimizer; AdamW's fp32 moments do not fit one 80 GB card)
# Targets (issue 14): ratio >= 0.85 on each shape; the full 7B step within 80 GB; a paper-scale run
# (~1,700 samples x 3k tokens x 5 epochs = 25.5M tokens) in <= 1.5 h at the measured 7B rate.
# Random init and synthetic records: no network. Prints one JSON line per shape, then a summary.
#   bash infra/sft/gpu_check.sh     (PYTHON=... to choose the interpreter; STEPS=12 per shape)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PY="$ROOT/.venv/bin/python"; else PY=python3; fi
fi
STEPS=${STEPS:-12}
if ! "$PY" -c 'import torch, transformers, trl' 2>/dev/null; then
  echo "gpu_check: $PY lacks torch, transformers or trl (pip install -r infra/sft/requirements.txt, or PYTHON=...)" >&2
  exit 2
fi
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "gpu_check: no CUDA device visible; the CPU bench is: $PY bench/trainer/bench.py" >&2
  exit 3
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
bench() { "$PY" "$ROOT/bench/trainer/bench.py" --json --steps "$STEPS" --warmup 4 --profile single-gpu-80gb "$@" | tee -a "$OUT"; }
bench --shape 7b-2layer --seq 4096 --batch 1 --bf16 --optim adamw_torch_fused
bench --shape 7b-2layer --seq 7168 --batch 1 --bf16 --optim adamw_torch_fused
bench --shape 7b --seq 7168 --batch 1 --bf16 --gradient-checkpointing --optim adafactor
"$PY" - "$OUT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    p, q = r["project"], r["plain"]
    print(f"{r['shape']:>10} seq {r['seq']:>5}: project {p['tokens_per_s']:>9.0f} tok/s {p['peak_gib']:6.1f} GiB | "
          f"plain {q['tokens_per_s']:>9.0f} tok/s {q['peak_gib']:6.1f} GiB | ratio {r['ratio_tokens_per_s']:.3f}")
full = rows[-1]["project"]
paper_tokens = 1700 * 3000 * 5
print(f"full 7B at 7168: peak {full['peak_gib']:.1f} GiB (fits 80 GB: {full['peak_gib'] < 80 * 1e9 / 2**30}); "
      f"paper-scale run ({paper_tokens / 1e6:.1f}M tokens) at {full['tokens_per_s']:.0f} tok/s: "
      f"{paper_tokens / full['tokens_per_s'] / 3600:.2f} h")
PY
