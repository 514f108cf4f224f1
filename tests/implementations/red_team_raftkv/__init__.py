"""Red team of raftkv (issue 10): each file a case that once failed."""
