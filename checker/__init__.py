"""distcheck's engines: ``checker.explore`` (explicit-state model checking),
``checker.prove`` (Z3 inductive invariants, BMC, k-induction) and
``checker.linearizability`` (recorded histories).  ``checker.cli`` is the command line,
``checker.pytest_plugin`` the pytest integration."""
