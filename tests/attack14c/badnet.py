"""A module whose network declaration is malformed where it is written."""

from spec import Ids, Network, Spec, action, record


@record
class S:
    msgs: frozenset


class BadField(Spec):
    network = Network("no field", source="src")

    def init(self):
        yield S(frozenset())

    @action
    def Nop(self, s):
        return None
