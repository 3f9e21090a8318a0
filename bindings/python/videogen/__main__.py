"""``python -m videogen``: the command line (see :mod:`videogen.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
