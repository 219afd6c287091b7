"""The version of runload, in one place (read by setuptools and by ``runload.__version__``).

A leaf module: it imports nothing, so the build can read the version without importing
the package and its dependencies.
"""

__version__ = "0.1.0"
