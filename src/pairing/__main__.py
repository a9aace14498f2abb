"""``python -m pairing``: the command line."""

from .cli import entry

entry()
