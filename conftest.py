"""Pytest runs the Python sources of the parsers unless told otherwise (``TRIALDESK_NATIVE=1``, as ``make test``'s
second pass sets): the doctests are read from the sources, and a compiled module has none to collect.

Set before any test imports trialdesk; see :mod:`trialdesk.native`.
"""

import os

os.environ.setdefault("TRIALDESK_NATIVE", "0")
