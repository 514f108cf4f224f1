"""Issue 10's acceptance for the other systems, through the harness: the LWW store with skewed
clocks is caught; a single Redis is linearizable; reads from an asynchronously replicated Redis
replica cut off from its primary are stale, and caught."""

from __future__ import annotations

from implementations.harness import RunVerdict, run

SHORT = dict(clients=4, duration=4, nemesis_interval=1, rate=80)


def test_lww_with_skewed_clocks_is_caught(tmp_path) -> None:
    r = run("lww", nodes=3, nemesis="clock", seed=1, out=tmp_path, **SHORT)
    assert r.verdict is RunVerdict.VIOLATION, r.render_text()
    assert (r.out_dir / "timeline.html").exists()


def test_a_single_redis_is_linearizable_under_pauses(tmp_path) -> None:
    r = run("redis", nodes=1, nemesis="pause", seed=1, out=tmp_path, **SHORT)
    assert r.verdict is RunVerdict.OK, r.render_text()
    assert r.counts["ok"] >= 50 and r.windows and not r.lost.losses


def test_reads_from_a_cut_off_redis_replica_are_caught(tmp_path) -> None:
    r = run("redis-replica", nodes=2, nemesis="partition", seed=1, out=tmp_path, **SHORT)
    assert r.verdict is RunVerdict.VIOLATION, r.render_text()
    assert any(w.name.startswith("partition") for w in r.windows)
    assert (r.out_dir / "timeline.html").exists()
