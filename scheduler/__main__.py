"""Entry point of `python -m scheduler`."""

import sys

from .cli import main

sys.exit(main())
