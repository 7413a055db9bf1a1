#!/usr/bin/env bash
# GPU check of the trainer, one command (bench/trainer/bench.py three times): the project's trainer
# against a plain PyTorch loop on the same model shape, data, batches, optimizer, precision and
# gradient clipping. Random init and synthetic records: no network, no download.
#   1. the DeepSeek-R1-Distill-Qwen-7B shape (hidden 3584, 28 heads, 4 kv heads, intermediate 18944,
#      vocab 152064) cut to 2 layers, 4,096 tokens/sample, bf16, AdamW (fused)
#   2. the same at 7,168 tokens/sample
#   3. the full 7B shape (28 layers) at 7,168 tokens on one GPU: bf16 weights, gradient
#      checkpointing and Adafactor, chosen explicitly here (the single-gpu-80gb profile's optimizer:
#      AdamW's two fp32 moments, 61 GB for 7.6B weights, do not fit one 80 GB card)
# Targets (issue 14): ratio >= 0.85 on each shape; the full 7B step within 80 GB; a paper-scale run
# (1,700 samples x 3k tokens x 5 epochs = 25.5M tokens) in <= 1.5 h at the measured full-7B rate.
# The sides run one after the other (--interleave run: one model on the card at a time). Prints one
# JSON line per shape, then a summary with PASS/FAIL per target; exit 0 when all pass, 1 if not.
#
#   bash infra/sft/gpu_check.sh             PYTHON=... (interpreter), STEPS=12 per run, ROUNDS=1
#   bash infra/sft/gpu_check.sh --dry-run   the same three commands and summary on the CPU with the
#                                           tiny shape (checks the script end to end; numbers mean nothing)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DRY_RUN=0
case "${1:-}" in
  --dry-run) DRY_RUN=1 ;;
  "") ;;
  *) echo "usage: bash infra/sft/gpu_check.sh [--dry-run]" >&2; exit 2 ;;
esac
PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PY="$ROOT/.venv/bin/python"; else PY=python3; fi
fi
STEPS=${STEPS:-12}
ROUNDS=${ROUNDS:-1}
if ! "$PY" -c 'import torch, transformers, trl' 2>/dev/null; then
  echo "gpu_check: $PY lacks torch, transformers or trl (pip install -r infra/sft/requirements.txt, or PYTHON=...)" >&2
  exit 2
fi
if [[ $DRY_RUN == 0 ]] && ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "gpu_check: no CUDA device visible; bash infra/sft/gpu_check.sh --dry-run checks the script on the CPU" >&2
  exit 3
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
bench() {
  local args=("$@")
  if [[ $DRY_RUN == 1 ]]; then
    # The same flags with the tiny shape, short samples and few steps.
    for i in "${!args[@]}"; do
      case "${args[$i]}" in
        7b | 7b-2layer) args[i]=tiny ;;
        4096 | 7168) args[i]=256 ;;
      esac
    done
    "$PY" "$ROOT/bench/trainer/bench.py" --json --interleave run --threads 0 --rounds 1 --steps 5 --warmup 1 \
      --profile single-gpu-80gb "${args[@]}" | tee -a "$OUT"
    return
  fi
  "$PY" "$ROOT/bench/trainer/bench.py" --json --interleave run --threads 0 --rounds "$ROUNDS" --steps "$STEPS" --warmup 4 \
    --profile single-gpu-80gb "${args[@]}" | tee -a "$OUT"
}
bench --shape 7b-2layer --seq 4096 --batch 1 --bf16 --optim adamw_torch_fused
bench --shape 7b-2layer --seq 7168 --batch 1 --bf16 --optim adamw_torch_fused
bench --shape 7b --seq 7168 --batch 1 --bf16 --gradient-checkpointing --optim adafactor
"$PY" "$HERE/gpu_check_summary.py" "$OUT" $([[ $DRY_RUN == 1 ]] && echo --dry-run)
