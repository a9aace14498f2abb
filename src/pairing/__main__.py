"""``python -m pairing`` and the ``pairing`` program: the command line.

The first statements record SIGINT and SIGTERM (:mod:`pairing._early`), so a
signal that arrives while the command line is still being imported is acted
on, without a traceback, once :func:`pairing.cli.main` has started.
"""

from . import _early

_early.install()

from .cli import entry  # noqa: E402 (after the early handlers, on purpose)


def run() -> None:
    """The ``pairing`` program's entry point."""
    entry()


if __name__ == "__main__":
    entry()
