"""The in-process caches: pieces kept per generation (core/cache.PieceCache)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from landrenew.core.cache import PieceCache


def _maker(calls: list[list[int]], skip: frozenset[int] = frozenset()
           ) -> Callable[[list[int]], Mapping[int, bytes]]:
    def make(ids: list[int]) -> dict[int, bytes]:
        calls.append(list(ids))
        return {i: f"<{i}>".encode() for i in reversed(ids) if i not in skip}
    return make


def test_pieces_come_in_the_asked_order_and_only_missing_ones_are_made() -> None:
    cache = PieceCache(max_bytes=10_000)
    calls: list[list[int]] = []
    gen = ("db", "stamp-1", "public", "xy")
    assert cache.pieces(gen, [3, 1, 2], _maker(calls)) == [b"<3>", b"<1>", b"<2>"]
    assert cache.pieces(gen, [5, 2, 4, 3], _maker(calls)) == [b"<5>", b"<2>", b"<4>", b"<3>"]
    assert calls == [[3, 1, 2], [5, 4]]  # the kept 2 and 3 were not made again
    assert cache.pieces(gen, [1, 5], _maker(calls)) == [b"<1>", b"<5>"] and len(calls) == 2
    assert (cache.made, cache.reused) == (5, 4)
    assert cache.pieces(gen, [], _maker(calls)) == [] and len(calls) == 2


def test_each_generation_keeps_its_own_pieces() -> None:
    cache = PieceCache(max_bytes=10_000)
    calls: list[list[int]] = []
    cache.pieces(("db", "s", "public", "xy"), [1, 2], _maker(calls))
    cache.pieces(("db", "s", "sensitive", "xy"), [1, 2], _maker(calls))  # another view
    cache.pieces(("db", "s", "public", "yx"), [2], _maker(calls))  # another axis order
    cache.pieces(("other", "s", "public", "xy"), [1], _maker(calls))  # another database
    assert calls == [[1, 2], [1, 2], [2], [1]]


def test_a_new_stamp_drops_the_older_pieces_of_that_source_only() -> None:
    cache = PieceCache(max_bytes=10_000)
    calls: list[list[int]] = []
    cache.pieces(("db", "s1", "public", "xy"), [1, 2], _maker(calls))
    cache.pieces(("db", "s1", "sensitive", "xy"), [1], _maker(calls))
    cache.pieces(("other", "s1", "public", "xy"), [1], _maker(calls))
    assert cache.size == 4 * 3
    cache.pieces(("db", "s2", "public", "xy"), [1], _maker(calls))  # the data changed
    assert cache.size == 2 * 3  # db's s1 pieces are gone, the other database's are kept
    calls.clear()
    cache.pieces(("db", "s1", "public", "xy"), [2], _maker(calls))  # made again, not kept
    cache.pieces(("other", "s1", "public", "xy"), [1], _maker(calls))
    assert calls == [[2]]


def test_pieces_a_maker_does_not_return_are_left_out_and_not_kept() -> None:
    cache = PieceCache(max_bytes=10_000)
    calls: list[list[int]] = []
    gen = ("db", "s", "public", "xy")
    assert cache.pieces(gen, [1, 2, 3], _maker(calls, frozenset({2}))) == [b"<1>", b"<3>"]
    assert cache.pieces(gen, [1, 2, 3], _maker(calls)) == [b"<1>", b"<2>", b"<3>"]
    assert calls == [[1, 2, 3], [2]]


def test_the_least_recently_used_pieces_go_first_beyond_the_size() -> None:
    cache = PieceCache(max_bytes=4 * 3)  # four 3-byte pieces
    calls: list[list[int]] = []
    gen = ("db", "s", "public", "xy")
    cache.pieces(gen, [1, 2, 3, 4], _maker(calls))
    cache.pieces(gen, [1], _maker(calls))  # 1 is now the most recently used
    cache.pieces(gen, [5, 6], _maker(calls))  # over the size: 2 and 3 go
    assert cache.size == 12
    calls.clear()
    cache.pieces(gen, [1, 4, 5, 6], _maker(calls))
    assert calls == []
    cache.pieces(gen, [2, 3], _maker(calls))
    assert calls == [[2, 3]] and cache.size <= 12
    cache.clear()
    assert cache.size == 0


def test_pieces_another_thread_is_making_are_waited_for_not_made_again() -> None:
    import threading

    cache = PieceCache(max_bytes=10_000)
    gen = ("db", "s", "public", "xy")
    calls: list[list[int]] = []
    started, go = threading.Event(), threading.Event()

    def slow(ids: list[int]) -> dict[int, bytes]:
        calls.append(list(ids))
        started.set()
        assert go.wait(10)
        return {i: f"<{i}>".encode() for i in ids}

    results: dict[str, list[bytes]] = {}
    first = threading.Thread(target=lambda: results.update(a=cache.pieces(gen, [1, 2, 3], slow)))
    first.start()
    assert started.wait(10)  # the first thread is making 1, 2 and 3
    second = threading.Thread(target=lambda: results.update(
        b=cache.pieces(gen, [2, 3, 4], _maker(calls))))
    second.start()
    for _ in range(1000):  # the second makes only 4, then waits for 2 and 3
        if len(calls) == 2:
            break
        threading.Event().wait(0.01)
    assert calls == [[1, 2, 3], [4]]
    assert "b" not in results
    go.set()
    first.join(10)
    second.join(10)
    assert results == {"a": [b"<1>", b"<2>", b"<3>"], "b": [b"<2>", b"<3>", b"<4>"]}
    assert (cache.made, cache.reused) == (4, 2)


def test_pieces_whose_maker_failed_are_made_by_the_waiting_thread() -> None:
    import threading

    cache = PieceCache(max_bytes=10_000)
    gen = ("db", "s", "public", "xy")
    started, go = threading.Event(), threading.Event()

    def failing(ids: list[int]) -> dict[int, bytes]:
        started.set()
        assert go.wait(10)
        raise RuntimeError("the database went away")

    errors: list[BaseException] = []

    def first_page() -> None:
        try:
            cache.pieces(gen, [1, 2], failing)
        except RuntimeError as e:
            errors.append(e)

    first = threading.Thread(target=first_page)
    first.start()
    assert started.wait(10)
    calls: list[list[int]] = []
    timer = threading.Timer(0.2, go.set)  # the first fails while the second waits for it
    timer.start()
    assert cache.pieces(gen, [2, 3], _maker(calls)) == [b"<2>", b"<3>"]
    first.join(10)
    assert len(errors) == 1 and calls == [[3], [2]]
    assert cache.pieces(gen, [1, 2], _maker(calls)) == [b"<1>", b"<2>"]
    assert calls[-1] == [1]  # 1 was never kept; 2 was, by the second thread


def test_nothing_is_left_behind_once_the_makers_are_done() -> None:
    cache = PieceCache(max_bytes=10_000)
    calls: list[list[int]] = []
    for stamp in ("s1", "s2", "s3"):
        gen = ("db", stamp, "public", "xy")
        cache.pieces(gen, [1, 2], _maker(calls))
        cache.pieces(gen, [1, 2], _maker(calls))  # all kept: nothing is being made
    assert cache._making == {} and list(cache._gens) == [("db", "s3", "public", "xy")]


def test_tile_cache_put_replaces_and_stays_within_its_size() -> None:
    """``ByteCache.put`` (a page read whole from the shared store) replaces what a key held
    without counting it twice, and drops the least recently used beyond the size."""
    from landrenew.core.cache import ByteCache

    cache = ByteCache(max_bytes=10)
    cache.put("a", b"1234")
    cache.put("a", b"123456")  # replaced, not added
    assert cache.peek("a") == b"123456" and len(cache) == 1
    cache.put("b", b"1234")
    assert len(cache) == 2  # 6 + 4 bytes: full, nothing dropped
    cache.put("c", b"12")  # 12 bytes: the least recently used (a) goes
    assert cache.peek("a") is None and cache.peek("b") == b"1234" and cache.peek("c") == b"12"
    assert cache.get_or_make("c", lambda: b"never made") == b"12"
    cache.put("d", b"12345678901")  # larger than the whole cache: not kept
    assert cache.peek("d") is None and len(cache) == 2
