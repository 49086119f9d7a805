"""python -m dashboard.serve: the class command (dashboard/serve/__init__.py)."""
import sys

from dashboard.serve import main

sys.exit(main())
