"""A state outside its Product type (a 3-tuple where the type says D x Bool) is renamed by
Product.permuter's zip into a 2-tuple of the type: under --symmetry it joins the orbit of an
in-type state already seen, and the type violation is never reported."""
from spec import Bool, Ids, Product, RecordOf, Spec, action, invariant, record


@record
class PState:
    p: tuple
    step: int


class LongTuple(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.D = Ids("D", 2)
        self.symmetry = (self.D,)
        from spec import Ints
        self.state_type = RecordOf(PState, p=Product(self.D, Bool), step=Ints(0, 1))

    def init(self):
        yield PState(p=(0, True), step=0)
        yield PState(p=(1, True), step=1)

    @action
    def Grow(self, s):
        if s.step != 0:
            return None
        return PState(p=(1, True, 0), step=1)  # a spec bug: one entry too many

    @invariant
    def TypeOK(self, s) -> bool:
        return s in self.state_type
