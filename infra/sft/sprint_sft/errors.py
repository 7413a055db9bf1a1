"""Errors of the trainer's input: a relaunch of the same job cannot fix them.

The error event of such a failure says `"retryable": false`, and the training activity fails the
run at once with the message instead of relaunching the job up to its restart limit (a relaunch of a
dataset that fits no example, or of a missing argument, fails the same way every time).
"""


class TrainerInputError(ValueError):
    """The data, the arguments or the settings given to the trainer cannot work as they are."""
