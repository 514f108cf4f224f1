"""Markup, URLs and a lone surrogate in every place a chart shows text: messages, lane labels
(declared, hooked and read from messages), action parameters."""

from spec import Network, Spec, action, invariant, members, record


@record
class E:
    text: str


@record
class ES:
    msgs: frozenset


PLAIN = ('</svg></div><script>window.PWN=1</script><img src="http://127.0.0.1:9/x.png" '
         'onerror="window.PWN=2">]]><!-- \u2028 <style>@import url(http://127.0.0.1:9/a.css)</style>')


def _make(evil: str) -> type:
    class EvilSpec(Spec):
        network = Network("msgs", source=lambda m: evil + "src", dest=lambda m: evil + "dst",
                          lanes=(evil,), lane=lambda a, p, s: evil + a)

        def init(self):
            yield ES(frozenset())

        @action(t=(evil,))
        def Send(self, s, t):
            return s.evolve(msgs=s.msgs | {E(t)}) if not s.msgs else None

        @action(m=members("msgs"))
        def Recv(self, s, m):
            return s.evolve(msgs=s.msgs - {m})

        @invariant
        def NeverReceived(self, s):
            return True

        @invariant
        def NeverSent(self, s):
            return not s.msgs

    return EvilSpec


class Evil(_make(PLAIN + "\ud800")):
    """With a lone surrogate."""


class EvilPlain(_make(PLAIN)):
    """Without."""
