"""A list where the type says [D -> D] (a tuple): TupleOf's permuter rebuilds it as a tuple, so
under --symmetry the state is merged with the in-type state of its orbit."""
from spec import Ids, RecordOf, Spec, TupleOf, action, invariant, record


@record
class LState:
    ptr: object


class ListBug(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.D = Ids("D", 2)
        self.symmetry = (self.D,)
        self.state_type = RecordOf(LState, ptr=TupleOf(self.D, self.D))

    def init(self):
        yield LState(ptr=(0, 1))
        yield LState(ptr=(1, 1))

    @action(d="D")
    def Point(self, s, d):
        if s.ptr[0] == s.ptr[1]:
            return None
        p = list(s.ptr)
        p[d] = 1 - d
        return LState(ptr=p)  # a spec bug: a list, not a tuple

    @invariant
    def TypeOK(self, s) -> bool:
        return s in self.state_type
