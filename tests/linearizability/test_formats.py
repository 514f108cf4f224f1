"""Reading histories: format detection, each format's rules, and one-line errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.linearizability import (
    NEVER,
    FrozenDict,
    HistoryError,
    check,
    history_from_events,
    load_history,
    parse_history,
)

EDN_STREAM = """\
{:type :invoke, :f :write, :value 1, :process 0, :time 10, :index 0}
{:type :info, :f :start, :value nil, :process :nemesis}
{:type :invoke, :f :read, :value nil, :process 1}
{:type :ok, :f :write, :value 1, :process 0}
{:type :ok, :f :read, :value 1, :process 1}
{:type :invoke, :f :cas, :value [1 2], :process 0}
{:type :fail, :f :cas, :value [1 2], :process 0}
{:type :invoke, :f :write, :value 3, :process 1}
{:type :info, :f :write, :value 3, :process 1, :error :timeout}
{:type :invoke, :f :read, :value nil, :process 6}
"""


def test_edn_stream() -> None:
    h = parse_history(EDN_STREAM)
    assert h.format == "edn"
    assert len(h) == 5  # five invocations by clients; the nemesis is not a client
    w, r, cas, w3, r6 = h.operations
    assert (w.f, w.input, w.output, w.type, w.call, w.ret, w.line) == ("write", 1, 1, "ok", 0, 3, 1)
    assert (r.output, r.type, r.line, r.ret_line) == (1, "ok", 3, 5)
    assert (cas.input, cas.type) == ((1, 2), "fail")
    assert (w3.type, w3.ret) == ("info", NEVER)
    assert (r6.type, r6.ret) == ("info", NEVER)  # never completed: indeterminate
    assert check(h, "cas-register").verdict == "ok"


def test_edn_vector_and_maps() -> None:
    text = "[" + EDN_STREAM.replace("\n", "\n ") + "]"
    assert [o.line for o in parse_history(text).operations] == [1, 3, 6, 8, 10]
    h = parse_history('[{:process 0 :type :invoke :f :txn :value [[:write :x 1]]}\n'
                      ' {:process 0 :type :ok :f :txn :value [[:write :x 1]]}]')
    assert h.operations[0].input == (("write", "x", 1),)
    h = parse_history('{:process 0 :type :invoke :f :add :value #{1 2} :key {:a "b"}}')
    assert h.operations[0].input == frozenset({1, 2}) and h.operations[0].key == FrozenDict(a="b")


@pytest.mark.parametrize(
    "text,line,problem",
    [
        ('{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value}\n', 2, "invalid EDN"),
        ('{:process 0 :type :ok :f :read :value 1}\n', 1, "invoked nothing"),
        ('{:process 0 :type :invoke :f :read}\n{:process 0 :type :invoke :f :read}\n', 2, "has not completed"),
        ('{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :write}\n', 2, "but invoked read"),
        ('{:process 0 :type :begin :f :read}\n', 1, "type must be one of"),
        ('{:process 0 :type :invoke}\n', 1, "has no f"),
        ('[{:process 0 :type :invoke :f :read}\n 17]\n', None, "not an operation map"),
        ('{:process 0 :type :invoke :f :read}\n{:process 0\n :type :ok', 2, "never closed"),
    ],
)
def test_edn_errors(text: str, line: int | None, problem: str) -> None:
    with pytest.raises(HistoryError) as e:
        parse_history(text, source="h.edn")
    assert e.value.line == line and problem in e.value.problem
    assert str(e.value).startswith(f"h.edn:{line}: " if line else "h.edn: ")
    assert "\n" not in str(e.value)


def test_edn_tagged_values() -> None:
    text = (
        "#jepsen.history.Op{:index 0, :type :invoke, :process 0, :f :read, :value nil}\n"
        "#jepsen.history.Op{:index 1, :type :info, :process 0, :f :read, :value nil,"
        " :error #object[java.net.SocketTimeoutException 0x1f \"timeout\"]}\n"
        '{:type :invoke :process 1 :f :write :value 2 :time #inst "2024-01-01T00:00:00Z"}\n'
    )
    h = parse_history(text)
    assert [(o.f, o.type) for o in h.operations] == [("read", "info"), ("write", "info")]


def test_jsonl_events() -> None:
    text = (
        '{"process": 0, "type": "invoke", "f": "enqueue", "value": [1, {"a": 2}]}\n'
        "\n"
        '{"process": "nemesis", "type": "info", "f": "kill"}\n'
        '{"process": 0, "type": "ok", "f": "enqueue", "value": [1, {"a": 2}]}\n'
    )
    h = parse_history(text)
    assert h.format == "jsonl" and len(h) == 1
    assert h.operations[0].input == (1, FrozenDict(a=2)) and h.operations[0].ret_line == 4


def test_jsonl_operations() -> None:
    text = (
        '{"process": 1, "f": "read", "output": 100, "call": 25, "return": 75}\n'
        '{"process": 0, "f": "write", "input": 100, "call": 0, "return": 100}\n'
        '{"process": 2, "f": "read", "output": 0, "call": 30, "return": 60}\n'
        '{"process": 3, "f": "write", "input": 5, "call": 70, "return": null}\n'
    )
    h = parse_history(text)
    assert [o.process for o in h.operations] == [0, 1, 2, 3]  # call order
    assert h.operations[3].type == "info" and h.operations[3].ret == NEVER
    # Porcupine's register example: linearizable with initial value 0
    from checker.linearizability import get_model

    assert check(h, get_model("register", 0)).verdict == "ok"
    bad = text.replace('"output": 100, "call": 25, "return": 75', '"output": 100, "call": 10, "return": 30')
    bad = bad.replace('"call": 30, "return": 60', '"call": 40, "return": 90')
    assert check(parse_history(bad), get_model("register", 0)).verdict == "illegal"


@pytest.mark.parametrize(
    "text,line,problem",
    [
        ('{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0, "type": "ok", "f": "read", \n', 2, "invalid JSON"),
        ('{"process": 0, "type": "invoke", "f": "read"}\n[1, 2]\n', 2, "expected a JSON object"),
        ('{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0, "f": "read", "call": 1, "return": 2}\n', 2, "one shape per file"),
        ('{"process": 0, "f": "read", "call": 5, "return": 2}\n', 1, "before call"),
        ('{"process": 0, "f": "read", "call": "x", "return": 2}\n', 1, "call must be"),
        ('{"process": 0, "f": "read", "call": 1, "return": 2, "type": "maybe"}\n', 1, "type must be"),
        ('{"process": "c1", "f": "read", "call": 1, "return": 2}\n', 1, "process must be an integer"),
        ('{"process": "c1", "type": "invoke", "f": "read"}\n', None, "no client operations"),
    ],
)
def test_jsonl_errors(text: str, line: int | None, problem: str) -> None:
    with pytest.raises(HistoryError) as e:
        parse_history(text, "jsonl", source="h.jsonl")
    assert (e.value.line, e.value.source) == (line, "h.jsonl") and problem in e.value.problem


def test_jepsen_log_rules() -> None:
    text = (
        "2017-01-01 INFO  jepsen.core - Running test\n"
        "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
        "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
        "INFO  jepsen.util - 0   :fail   :read   :timed-out\n"
        "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4]\n"
        "INFO  jepsen.util - 1\t:fail\t:cas\t[1 4]\n"
    )
    h = parse_history(text)
    assert h.format == "jepsen-log" and len(h) == 2
    read, cas = h.operations
    assert (read.type, read.ret, read.line) == ("info", NEVER, 2)  # a timed-out read: unknown
    assert (cas.type, cas.input) == ("fail", (1, 4))  # a failed compare: an observation for etcd
    with pytest.raises(HistoryError, match=r"h.log:1: invalid EDN value"):
        parse_history("INFO jepsen.util - 0 :invoke :write [1\n", source="h.log")


def test_detection_and_files(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="cannot tell the format"):
        parse_history("hello\n", source="x")
    # no client operation: an error, not an empty (trivially linearizable) history
    for text, fmt in (("", None), ("\n\n", None), ("[]", None), ("", "jsonl"), ("", "edn"),
                      ("notes\n", "jepsen-log")):
        with pytest.raises(HistoryError, match=r"^x: no client operations: "):
            parse_history(text, fmt, source="x")
    with pytest.raises(HistoryError, match=r"^<events>: no client operations: the history is empty$"):
        history_from_events([])
    empty = tmp_path / "empty.edn"
    empty.write_text("")
    with pytest.raises(HistoryError, match=f"^{empty}: no client operations"):
        load_history(empty)
    missing = tmp_path / "none.edn"
    with pytest.raises(HistoryError, match="none.edn: cannot read"):
        load_history(missing)
    binary = tmp_path / "bin.edn"
    binary.write_bytes(b"\xff\xfe{")
    with pytest.raises(HistoryError, match="not UTF-8"):
        load_history(binary)
    f = tmp_path / "h.jsonl"
    f.write_text('{"process": 0, "type": "invoke", "f": "read"}\n')
    assert load_history(f).source == str(f)
    assert load_history(f, "jsonl").format == "jsonl"


@pytest.mark.parametrize(
    "text,fmt,line,problem",
    [
        ("{:process 0 :type :invoke :f :w :value " + "[" * 5000 + "]" * 5000 + "}\n", None, 1,
         "nested more than 256 deep is not data"),
        ('{"process": 0, "type": "invoke", "f": "w", "value": ' + "[" * 300 + "]" * 300 + "}\n", None, 1,
         "nested more than 256 deep is not data"),
        ('{"process": 0, "type": "invoke", "f": "w", "value": ' + "[" * 100000 + "]" * 100000 + "}\n", None, 1,
         "unreadable JSON: nested too deeply"),
        ('{"process": 0, "type": "invoke", "f": "w"}\n{"process": 0, "type": "ok", "f": "w", "value": 1'
         + "0" * 5000 + "}\n", None, 2, "unreadable JSON: Exceeds the limit"),
        ("{:process 0 :type :invoke :f :w :value 1" + "0" * 5000 + "}\n", None, 1, "invalid EDN"),
        ("^:meta {:process 0 :type :invoke :f :read}\n", "edn", 1, "expected an operation map"),
    ],
)
def test_hostile_values_are_one_line_errors(text: str, fmt: str | None, line: int, problem: str) -> None:
    with pytest.raises(HistoryError) as e:
        parse_history(text, fmt, source="h")
    assert e.value.line == line and problem in e.value.problem and "\n" not in str(e.value)


def test_edn_discards_commas_and_byte_order_marks(tmp_path: Path) -> None:
    h = parse_history("#_{:process 0 :type :invoke :f :read}\n,, {:process 1 :type :invoke :f :read},\n")
    assert [o.process for o in h.operations] == [1] and h.operations[0].line == 2
    h = parse_history("[#_ {:process 0 :type :invoke :f :read}\n {:process 1 :type :invoke :f :read}]")
    assert [o.process for o in h.operations] == [1]
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"process": 0, "type": "invoke", "f": "read"}\n')
    assert load_history(f).format == "jsonl" and len(load_history(f)) == 1
