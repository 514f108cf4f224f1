"""Red team of distcheck run (issue 10): each file a case that once failed; _systems.py holds the
small System classes they load by path."""
