"""``python -m jitbench``."""

import sys

from .cli import main

sys.exit(main())
