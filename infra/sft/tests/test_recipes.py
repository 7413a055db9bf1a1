"""Recipes: the profiles hold the SPRINT settings, layers override in order, and TRL reads the files."""

import os

import pytest
from trl import ModelConfig, ScriptArguments, SFTConfig, TrlParser

from sprint_sft.recipes import PROFILES, RecipeError, parse_arguments, recipe_path

OUT = ["--output_dir", "/tmp/unused-run"]
# This machine has no GPU: transformers accepts the GPU recipes' bf16 only on a run marked as CPU.
CPU = ["--use_cpu", "true"]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_recipe_is_read_by_trl_own_parser(profile):
    parser = TrlParser((ScriptArguments, SFTConfig, ModelConfig))
    script, sft, model = parser.parse_args_and_config(["--config", recipe_path(profile), "--dataset_name", "d", *OUT, *CPU])
    assert sft.completion_only_loss is True and sft.padding_free is True


def test_paper_profile_is_the_papers_recipe():
    p = parse_arguments(["--profile", "paper", *OUT, *CPU], cuda=True)
    sft = p.sft
    assert (sft.learning_rate, sft.weight_decay, sft.num_train_epochs) == (1e-5, 1e-4, 5)
    assert sft.per_device_train_batch_size == 1 and sft.warmup_steps == 0.05
    assert str(sft.lr_scheduler_type.value) == "linear" and sft.bf16 and sft.gradient_checkpointing
    assert sft.load_best_model_at_end and sft.metric_for_best_model == "eval_loss"
    assert p.model.model_name_or_path == "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"


def test_released_profile_is_the_released_script():
    sft = parse_arguments(["--profile", "released", *OUT, *CPU], cuda=True).sft
    assert (sft.learning_rate, sft.weight_decay, sft.adam_beta2) == (1e-6, 0.1, 0.95)
    assert str(sft.lr_scheduler_type.value) == "cosine" and sft.max_length == 7168
    # Global batch 16 on the paper's 8 GPUs.
    assert sft.per_device_train_batch_size * sft.gradient_accumulation_steps * 8 == 16


def test_auto_never_picks_a_memory_saving_optimizer():
    assert parse_arguments(OUT + CPU, cuda=True).profile == "paper"
    assert str(parse_arguments(OUT + CPU, cuda=True).sft.optim.value) == "adamw_torch_fused"
    assert parse_arguments(OUT, cuda=False).profile == "cpu"


def test_user_recipe_overrides_the_profile_and_flags_override_both(tmp_path):
    recipe = tmp_path / "mine.yaml"
    recipe.write_text("learning_rate: 3.0e-5\nnum_train_epochs: 2\nreport_to: [tensorboard, wandb]\nneftune_noise_alpha: 5\n")
    p = parse_arguments(["--profile", "released", "--config", str(recipe), "--num_train_epochs", "1", *OUT, *CPU], cuda=True)
    assert p.sft.learning_rate == 3e-5  # recipe over profile
    assert p.sft.num_train_epochs == 1  # flag over recipe
    assert p.sft.weight_decay == 0.1  # profile where neither says
    assert p.sft.report_to == ["tensorboard", "wandb"]
    assert p.sft.neftune_noise_alpha == 5  # any TRL/transformers field passes through
    assert p.recipes == [recipe_path("released"), str(recipe)]


def test_unknown_setting_names_the_file_and_key(tmp_path):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("learning_rate: 1.0e-5\nlerning_rate: 2.0e-5\n")
    with pytest.raises(RecipeError, match=r"bad.yaml: unknown setting\(s\) lerning_rate"):
        parse_arguments(["--config", str(recipe), *OUT], cuda=False)
    recipe.write_text("- a list\n")
    with pytest.raises(RecipeError, match="bad.yaml: a recipe is a YAML mapping"):
        parse_arguments(["--config", str(recipe), *OUT], cuda=False)
    with pytest.raises(RecipeError, match="--profile 'huge'"):
        parse_arguments(["--profile", "huge", *OUT], cuda=False)
    with pytest.raises(RecipeError, match="recipe file not found"):
        parse_arguments(["--config", os.path.join(str(tmp_path), "missing.yaml"), *OUT], cuda=False)


def test_evaluation_follows_the_saves_unless_set_with_them(tmp_path):
    # The best checkpoint is chosen by eval loss: an evaluation must happen at every save.
    assert parse_arguments(["--save_steps", "2", *OUT], cuda=False).sft.eval_steps == 2
    assert parse_arguments(["--save-steps", "4", "--eval_steps", "2", *OUT], cuda=False).sft.eval_steps == 2
    recipe = tmp_path / "r.yaml"
    recipe.write_text("save_steps: 50\n")
    assert parse_arguments(["--config", str(recipe), *OUT], cuda=False).sft.eval_steps == 50
    recipe.write_text("save_steps: 50\neval_steps: 25\n")
    assert parse_arguments(["--config", str(recipe), *OUT], cuda=False).sft.eval_steps == 25
    assert parse_arguments(OUT, cuda=False).sft.eval_steps == 100


def test_torchrun_runs_of_the_paper_recipes_get_zero3_unless_sharding_is_named(monkeypatch):
    from sprint_sft.recipes import derived_settings

    # Parsed before WORLD_SIZE is set: transformers would start a process group for it.
    sft = parse_arguments(["--profile", "paper", *OUT, *CPU], cuda=True).sft
    single = parse_arguments(["--profile", "single-gpu-80gb", *OUT, *CPU], cuda=True).sft
    monkeypatch.setenv("WORLD_SIZE", "8")
    monkeypatch.delenv("ACCELERATE_USE_DEEPSPEED", raising=False)
    changes = derived_settings(sft, do_eval=True, cuda=True, flags=set(), profile="paper")
    assert changes["deepspeed"].endswith("infra/sft/ds_zero3.json") and os.path.isfile(changes["deepspeed"])
    # An accelerate config that already shards (ZeRO-3 or FSDP), or one process, is left alone.
    monkeypatch.setenv("ACCELERATE_USE_DEEPSPEED", "true")
    assert "deepspeed" not in derived_settings(sft, True, True, set(), "paper")
    monkeypatch.delenv("ACCELERATE_USE_DEEPSPEED")
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert "deepspeed" not in derived_settings(sft, True, True, set(), "paper")
    # The single-GPU profile never gets it, and no evaluation data switches best-model keeping off.
    monkeypatch.setenv("WORLD_SIZE", "8")
    changes = derived_settings(single, do_eval=False, cuda=True, flags=set(), profile="single-gpu-80gb")
    assert "deepspeed" not in changes
    assert changes["eval_strategy"] == "no" and changes["load_best_model_at_end"] is False
