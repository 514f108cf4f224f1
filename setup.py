"""Only the C extensions are declared here; everything else is in pyproject.toml.

Both are optional fast paths with a pure-Python twin of the same API: without a C compiler the
install succeeds and the Python code is used instead.

- ``spec._cfingerprint`` is the fast path of ``spec._fingerprint`` (the explorer fingerprints
  every state it generates), computing the same fingerprints.
- ``checker.explore._cseen`` is the compact seen-set of ``checker.explore._seen`` (about 25
  bytes a distinct state instead of a dict's 120).
"""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("spec._cfingerprint", ["spec/_cfingerprint.c"], optional=True, extra_compile_args=["-O2"]),
    Extension("checker.explore._cseen", ["checker/explore/_cseen.c"], optional=True,
              extra_compile_args=["-O2"]),
    Extension("checker.linearizability._csearch", ["checker/linearizability/_csearch.c"], optional=True,
              extra_compile_args=["-O2"]),
])
