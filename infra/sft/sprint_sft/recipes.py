"""Recipes: the trainer's settings as YAML files that `trl sft --config` also reads.

Settings come in three layers, each overriding the one before:
  1. the profile's recipe (``infra/sft/recipes/<profile>.yaml``: paper, released, single-gpu-80gb, cpu),
  2. the user's recipe (``--config FILE``, any TRL SFTConfig / ModelConfig / transformers
     TrainingArguments field),
  3. command-line flags (``--learning_rate 2e-5``, ``--report_to wandb``, ...).
Parsing is TRL's own ``TrlParser`` (an ``HfArgumentParser``), so every TRL / transformers training
argument passes through without this project listing them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

RECIPES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recipes")
PROFILES = ("paper", "released", "single-gpu-80gb", "cpu")


class RecipeError(ValueError):
    """A recipe that cannot be used: the message names the file and the key."""


@dataclass
class SprintArguments:
    """The trainer's own settings (everything else is a TRL / transformers field)."""

    profile: str = field(
        default="auto",
        metadata={"help": "recipe to start from: auto (cpu without CUDA, else paper), " + ", ".join(PROFILES)},
    )
    dataset: str | None = field(
        default=None,
        metadata={"help": "curated dataset folder (sprint/train.jsonl or train.jsonl, + test.jsonl); "
                  "--dataset_name is accepted for the same folder"},
    )
    train_file: str | None = field(default=None, metadata={"help": "train JSONL (instead of --dataset)"})
    eval_file: str | None = field(default=None, metadata={"help": "eval JSONL; 'none' to train without evaluation"})
    prompt_template: str = field(
        default="{prompt}",
        metadata={"help": "how the prompt is rendered before the completion ({prompt} is replaced); no chat template"},
    )
    tiny_qwen2: bool = field(default=False, metadata={"help": "build a tiny random Qwen2 + tokenizer (no download)"})
    model_config: str | None = field(
        default=None, metadata={"help": "Qwen2Config fields as inline JSON or a file: random init, local tokenizer"}
    )
    tokenizer_vocab: int = field(default=1024, metadata={"help": "vocab of the locally trained tokenizer"})
    no_resume: bool = field(default=False, metadata={"help": "ignore existing checkpoints in --output_dir"})
    exit_after_step: int | None = field(
        default=None,
        metadata={"help": "fault injection for tests: exit 75 right after the checkpoint of this step is saved"},
    )
    sleep_per_step: float = field(
        default=0.0, metadata={"help": "tests and demos: pause this many seconds after each optimizer step"}
    )


def recipe_path(profile: str) -> str:
    if profile not in PROFILES:
        raise RecipeError(f"--profile {profile!r}: expected auto or one of {', '.join(PROFILES)}")
    return os.path.join(RECIPES_DIR, f"{profile}.yaml")


def load_recipe(path: str) -> dict[str, Any]:
    """Reads one YAML recipe (a mapping of field names to values)."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise RecipeError(f"{path}: recipe file not found") from None
    except yaml.YAMLError as err:
        raise RecipeError(f"{path}: not valid YAML ({err})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe is a YAML mapping of setting: value")
    return data


def resolve_profile(name: str, cuda: bool) -> str:
    """'auto' is the CPU recipe without CUDA and the paper's (AdamW) recipe with it: a memory-saving
    optimizer is never chosen behind the user's back; --profile single-gpu-80gb chooses it."""
    if name == "auto":
        return "paper" if cuda else "cpu"
    recipe_path(name)
    return name


def _pop_flag(argv: list[str], flag: str) -> str | None:
    """Removes `--flag VALUE` or `--flag=VALUE` from argv and returns VALUE (the last one wins)."""
    value = None
    alt = flag.replace("_", "-")
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in (flag, alt):
            if i + 1 >= len(argv):
                raise RecipeError(f"{flag} needs a value")
            value = argv[i + 1]
            del argv[i : i + 2]
            continue
        if arg.startswith(flag + "=") or arg.startswith(alt + "="):
            value = arg.split("=", 1)[1]
            del argv[i]
            continue
        i += 1
    return value


def _peek_flag(argv: list[str], flag: str) -> str | None:
    """The value of `--flag VALUE` / `--flag=VALUE` in argv (the last one), argv unchanged."""
    return _pop_flag(list(argv), flag)


@dataclass
class ParsedArguments:
    sprint: SprintArguments
    script: Any  # trl.ScriptArguments
    sft: Any  # trl.SFTConfig
    model: Any  # trl.ModelConfig
    profile: str
    recipes: list[str]


def parse_arguments(argv: list[str] | None, cuda: bool) -> ParsedArguments:
    """Profile recipe, then --config, then flags; an unknown key is an error naming its file."""
    from trl import ModelConfig, ScriptArguments, SFTConfig, TrlParser

    args = list(sys.argv[1:] if argv is None else argv)
    profile_flag = _pop_flag(args, "--profile") or "auto"
    user_recipe = _pop_flag(args, "--config")
    profile = resolve_profile(profile_flag, cuda)

    parser = TrlParser((SprintArguments, ScriptArguments, SFTConfig, ModelConfig))
    if not cuda:
        # Without CUDA, transformers refuses a bf16 recipe unless the run is marked as a CPU run.
        parser.set_defaults_with_config(use_cpu=True)
    recipes = [recipe_path(profile)] + ([user_recipe] if user_recipe else [])
    # Keeping the best checkpoint needs an evaluation at every save: when the most specific layer
    # that sets save_steps does not also set eval_steps, evaluation follows the saves.
    follow_saves: Any = None
    for path in recipes:
        values = load_recipe(path)
        if "save_steps" in values:
            follow_saves = values["save_steps"] if "eval_steps" not in values else None
        elif "eval_steps" in values:
            follow_saves = None
        env = values.pop("env", None)
        if env is not None:
            # TRL's recipe format: `env:` sets environment variables (never put secrets in a recipe).
            if not isinstance(env, dict):
                raise RecipeError(f"{path}: env must be a mapping of VARIABLE: value")
            for key, value in env.items():
                os.environ[str(key)] = str(value)
        unknown = parser.set_defaults_with_config(**values)
        if unknown:
            keys = ", ".join(k[2:] for k in unknown[::2])
            raise RecipeError(f"{path}: unknown setting(s) {keys} (not a TRL SFTConfig, ModelConfig or trainer field)")
    cli_save = _peek_flag(args, "--save_steps")
    if cli_save is not None and _peek_flag(args, "--eval_steps") is None:
        args += ["--eval_steps", cli_save]
    elif cli_save is None and follow_saves is not None and _peek_flag(args, "--eval_steps") is None:
        parser.set_defaults_with_config(eval_steps=follow_saves)
    sprint, script, sft, model = parser.parse_args_into_dataclasses(args=args)
    # A flag carries one value: several reporters come as `--report_to tensorboard,wandb`.
    if isinstance(sft.report_to, list) and any("," in r for r in sft.report_to):
        sft.report_to = [r.strip() for item in sft.report_to for r in item.split(",") if r.strip() not in ("", "none")]
    sprint.profile = profile
    return ParsedArguments(sprint, script, sft, model, profile, [os.path.abspath(p) for p in recipes])


def setting(value) -> str:
    """An enum-valued training argument (optimizer, scheduler) as its plain name."""
    return str(getattr(value, "value", value))


def derived_settings(sft, do_eval: bool, cuda: bool, flags: set[str], profile: str) -> dict:
    """Settings that follow from the data and the machine; each change is reported on stderr."""
    changes: dict = {}
    if not do_eval and sft.eval_strategy != "no":
        changes.update(eval_strategy="no", load_best_model_at_end=False, metric_for_best_model=None)
    if not cuda and sft.bf16 and "bf16" not in flags:
        print("sprint-sft: no GPU; the recipe's bf16 is off (pass --bf16 true to force it on the CPU)", file=sys.stderr)
        changes.update(bf16=False)
    # The paper trains 7B with ZeRO-3 across the GPUs of a node. The platform's launchers start
    # several processes with torchrun (no accelerate config), so a multi-process run of the paper's
    # or the released recipe that names no sharding gets the ZeRO-3 config next to this file.
    world = int(os.environ.get("WORLD_SIZE", "1"))
    sharded = os.environ.get("ACCELERATE_USE_DEEPSPEED") == "true" or os.environ.get("ACCELERATE_USE_FSDP") == "true"
    if world > 1 and profile in ("paper", "released") and not sft.deepspeed and not sft.fsdp and not sharded:
        print(f"sprint-sft: {world} processes, profile {profile}: DeepSpeed ZeRO-3 (ds_zero3.json)", file=sys.stderr)
        changes.update(deepspeed=os.path.join(os.path.dirname(RECIPES_DIR), "ds_zero3.json"))
    # The data path already dropped or cut examples to max_length; without packing, TRL must not
    # cut again (and refuses padding-free batches with a max_length).
    if not sft.packing:
        changes.update(max_length=None)
    changes.update(remove_unused_columns=False, disable_tqdm=True)
    return changes
