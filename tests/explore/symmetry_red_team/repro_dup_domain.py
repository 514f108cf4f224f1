"""symmetry = (D, D): the same domain listed twice.  3! x 3! = 36 renamings is over the whole
group's limit, so the signature path runs, and applying two candidate lists computed on the
same state one after the other is not canonical: orbits are split."""
from spec import Ids, RecordOf, SetOf, Spec, TupleOf, action, record, replace_at


@record
class PState:
    ptr: tuple
    seen: frozenset


class Pointers(Spec):
    check_deadlock = False

    def __init__(self, twice: bool = True) -> None:
        super().__init__()
        self.D = Ids("D", 3)
        self.symmetry = (self.D, self.D) if twice else (self.D,)
        self.state_type = RecordOf(PState, ptr=TupleOf(self.D, self.D), seen=SetOf(self.D))

    def init(self):
        yield PState(ptr=(0, 1, 2), seen=frozenset())

    @action(d="D", x="D")
    def Point(self, s, d, x):
        if s.ptr[d] == x:
            return None
        return PState(ptr=replace_at(s.ptr, d, x), seen=s.seen | {d})
