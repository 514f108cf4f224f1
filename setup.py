"""Only the C extension is declared here; everything else is in pyproject.toml.

``spec._cfingerprint`` is the fast path of ``spec._fingerprint`` (the explorer fingerprints every
state it generates).  It is optional: without a C compiler the install succeeds and the pure-Python
reference, which computes the same fingerprints, is used instead.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("spec._cfingerprint", ["spec/_cfingerprint.c"], optional=True,
                             extra_compile_args=["-O2"])])
