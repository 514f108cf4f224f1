"""The ``serve`` fixture of tests/serve: a ``distcheck serve`` server in a thread, stopped after."""

from tests.serve.conftest import serve  # noqa: F401 -- the fixture
