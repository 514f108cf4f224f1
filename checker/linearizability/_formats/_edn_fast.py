"""A fast path for the commonest EDN in histories: plain values, one op map a line.

Jepsen's ``history.edn`` streams and Porcupine's kv logs are lines such as

    {:process 0, :type :invoke, :f :get, :key "1", :value nil}

``edn_format`` (a ply grammar) reads about 15,000 such lines a second; a history of a few
thousand operations then spends more time being read than checked. :func:`parse_value` reads
exactly a subset of EDN -- maps, vectors, strings without escapes, keywords of ASCII characters,
decimal integers, ``nil``, ``true`` and ``false`` -- with one regular expression and a stack, and
answers :data:`NO` for anything else (a set, a list, a tag, a float, a character, a comment, an
escape in a string, a duplicate map key, a line ending inside a form...). The callers then give
the whole text to ``edn_format``, so the fast path only ever decides *how fast*, never *what*: on
every text it accepts it returns what ``edn_format`` (with :mod:`._edn`'s typed lexer) and
:func:`freeze <.._values.freeze>` would, a property the tests check on generated lines.

How the subset is kept exact, token by token, against ``edn_format``'s lexer:

* every atom must be followed by a delimiter (EDN whitespace, ``]``, ``}`` or the end), so a
  token is never a prefix of a longer one (``01``, ``5N``, ``1.5``, ``:a/b``, ``nilx``);
* integers have at most 18 digits: longer ones are edn_format's (Python's ``int`` refuses more
  than 4300 digits, and the error must be the slow path's);
* whitespace is exactly what the lexer skips (space, tab, comma): ``\\r`` or a Unicode space
  is not whitespace to it;
* the matches of the tokenizer must tile the text: a character no token explains (``#``, ``(``,
  ``\\``, ``;``...) makes the text fall back, rather than being skipped.
"""

from __future__ import annotations

import re
from typing import Any

from .._values import FALSE, TRUE, FrozenDict

#: what :func:`parse_value` answers for a text outside the subset
NO: Any = object()
#: what :func:`parse_value` answers for a text of whitespace only
EMPTY: Any = object()

_END = r"(?=[ \t,\]}]|\Z)"
_WS = "[ \t,]*"
_STRING = r'"([^"\\]*)"' + _END
_KEYWORD = r":([A-Za-z0-9_.*+!?$%&=<>-]+)" + _END
_INTEGER = r"(-?(?:0|[1-9][0-9]{0,17}))" + _END  # longer ones: edn_format's int() limits and errors
_WORD = r"(nil|true|false)" + _END
#: one token, after its whitespace; groups: open, close, string, keyword, integer, nil/true/false
_TOKEN = re.compile(_WS + r"(?:([\[{])|([\]}])|" + "|".join((_STRING, _KEYWORD, _INTEGER, _WORD)) + ")")
#: a text that is nothing but tokens (checked before they are read: findall skips what no token
#: matches, which must make the text fall back, not vanish)
_TOKENS = re.compile("(?:" + _TOKEN.pattern + ")*" + _WS)
#: the commonest line, a map of keywords to atoms, read pair by pair; groups: keyword, then the
#: atom's groups as in _TOKEN
_PAIR = _WS + _KEYWORD + "[ \t,]+(?:" + "|".join((_STRING, _KEYWORD, _INTEGER, _WORD)) + ")"
_FLAT_MAP = re.compile(_WS + r"\{(?:" + re.sub(r"\((?!\?)", "(?:", _PAIR) + ")*" + _WS + r"\}" + _WS)
_PAIRS = re.compile(_PAIR)
_WORDS = {"nil": None, "true": TRUE, "false": FALSE}
#: deeper values fall back (``freeze`` refuses values nested more than 256 deep, with a message)
_MAX_DEPTH = 64


def parse_value(text: str) -> Any:
    """The frozen value of ``text`` if it is one EDN value of the subset, :data:`EMPTY` if it is
    only whitespace, else :data:`NO`."""
    value = parse_op_map(text)
    return FrozenDict(value) if type(value) is dict else value


def parse_op_map(text: str) -> Any:
    """As :func:`parse_value`, but a top-level map is a ``dict`` (of frozen values): an event
    for :func:`pair_events <._events.pair_events>`, which only reads it."""
    if _FLAT_MAP.fullmatch(text):
        pairs = _PAIRS.findall(text)
        event = {}
        for key, string, keyword, integer, word in pairs:
            if string or keyword:
                event[key] = string or keyword
            elif integer:
                event[key] = int(integer)
            elif word:
                event[key] = _WORDS[word]
            else:  # the empty string ""
                event[key] = ""
        # a duplicate key: which one wins is edn_format's business
        return event if len(event) == len(pairs) else NO
    if not _TOKENS.fullmatch(text):
        return NO  # a character no token explains
    tokens = _TOKEN.findall(text)
    if not tokens:
        return EMPTY
    stack: list[list[Any]] = []
    items: list[Any] = []  # the open container's elements (the top level's, at first)
    opener = ""
    openers: list[str] = []
    for opening, closing, string, keyword, integer, word in tokens:
        if opening:
            if len(stack) == _MAX_DEPTH:
                return NO
            stack.append(items)
            openers.append(opener)
            items = []
            opener = opening
            continue
        if closing:
            if opener == "[" and closing == "]":
                value: Any = tuple(items)
            elif opener == "{" and closing == "}":
                if len(items) % 2:
                    return NO
                value = dict(zip(items[::2], items[1::2]))
                if 2 * len(value) != len(items):
                    return NO  # a duplicate key: which one wins is edn_format's business
                if len(stack) > 1:  # not the top level's
                    value = FrozenDict(value)
            else:
                return NO
            items = stack.pop()
            opener = openers.pop()
        elif string or keyword:
            value = string or keyword
        elif integer:
            value = int(integer)
        elif word:
            value = _WORDS[word]
        else:  # the empty string ""
            value = ""
        if not opener and items:
            return NO  # a second top-level value
        items.append(value)
    if opener:
        return NO  # a form still open at the end
    return items[0]
