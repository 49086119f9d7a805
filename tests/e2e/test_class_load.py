"""The class load benchmark as a smoke test: ten simulated students for ten seconds, every change served."""
from bench.class_load import measure


def test_ten_students_for_ten_seconds_get_every_change_without_an_error(server):
    r = measure(server, students=10, seconds=10, every=1.0)
    assert r["errors"] == 0, r["error_lines"]
    assert r["changes"] >= 30  # each student changed its image several times, each change checked
