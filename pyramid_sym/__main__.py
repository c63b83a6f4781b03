"""``python -m pyramid_sym``: the same as the ``pyramid-sym`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
