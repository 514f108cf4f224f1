"""The stable exit codes every distcheck command uses (documented in the README)."""

OK = 0  #: the property holds (explored exhaustively, proved, linearizable)
VIOLATION = 1  #: a violation was found (invariant, deadlock, not inductive, not linearizable)
USAGE = 2  #: bad command line or bad input (including an exception raised by spec code)
UNKNOWN = 3  #: a limit or time-out was reached before an answer: never reported as ok
