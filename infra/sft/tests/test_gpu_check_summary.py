"""gpu_check_summary: issue 14's targets (ratio >= 0.85 per shape, the full 7B within 80 GB, the
paper-scale run of 25.5M tokens within 1.5 h) judged from bench.py's result lines."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gpu_check_summary import summarize  # noqa: E402


def row(shape, seq, ratio, project_tps, peak_gib=20.0):
    side = {"tokens_per_s": project_tps, "peak_gib": peak_gib, "peak_kind": "gpu", "loss": 11.9}
    plain = dict(side, tokens_per_s=project_tps / ratio)
    return {"shape": shape, "seq": seq, "optim": "adafactor", "bf16": True, "gradient_checkpointing": shape == "7b",
            "project": side, "plain": plain, "ratio_tokens_per_s": ratio}


def rows(ratio=0.9, full_tps=6000.0, full_peak=60.0):
    return [row("7b-2layer", 4096, 0.95, 40000.0), row("7b-2layer", 7168, 0.93, 38000.0),
            row("7b", 7168, ratio, full_tps, full_peak)]


def test_all_targets_met():
    lines, ok = summarize(rows())
    assert ok
    # 25.5M tokens at 6,000 tokens/s = 1.18 h.
    assert "1.18 h (<= 1.5 h: PASS)" in lines[-1]


def test_a_ratio_below_085_fails():
    lines, ok = summarize(rows(ratio=0.84))
    assert not ok and "ratio 0.840 (>= 0.85: FAIL)" in lines[2]


def test_the_paper_scale_time_is_judged_against_15_hours():
    # 25.5M tokens need 4,723 tokens/s for 1.5 h.
    assert summarize(rows(full_tps=4730.0))[1]
    lines, ok = summarize(rows(full_tps=4700.0))
    assert not ok and "1.51 h (<= 1.5 h: FAIL)" in lines[-1]


def test_the_full_7b_must_fit_80_gb():
    lines, ok = summarize(rows(full_peak=75.0))  # 75 GiB = 80.5 GB
    assert not ok and "within 80 GB: FAIL" in lines[-2]
    assert summarize(rows(full_peak=74.0))[1]


def test_three_results_are_required():
    with pytest.raises(SystemExit, match="expected 3 bench results, got 2"):
        summarize(rows()[:2])
