"""The stderr progress display."""

from __future__ import annotations

import io

from okta_async.cli._progress import LOG_EVERY, Progress


def test_known_total_renders_a_bar_with_counts_and_percent() -> None:
    bar = Progress("import", total=200, unit="rows", stream=io.StringIO())
    bar.advance(50)
    line = bar.render()
    assert line.startswith("import  [######")
    assert "50/200 rows" in line
    assert "25%" in line


def test_unknown_total_renders_a_counter_and_failures() -> None:
    bar = Progress("export", unit="users", stream=io.StringIO())
    bar.advance(1234)
    bar.advance(failed=1)
    line = bar.render()
    assert "1,235 users" in line
    assert "1 failed" in line
    assert "[" not in line


def test_non_terminal_stream_gets_a_plain_line_every_few_seconds_and_a_final_one() -> None:
    out = io.StringIO()
    now = 0.0
    with Progress("work", total=30, stream=out, clock=lambda: now) as bar:
        for _ in range(30):
            now += LOG_EVERY / 4  # four items per period: 7 periods pass during 30 items
            bar.advance()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == 7 + 1
    assert "4/30" in lines[0] and "28/30" in lines[6] and "30/30" in lines[7]


def test_terminal_stream_redraws_in_place_and_ends_with_newline() -> None:
    out = io.StringIO()
    with Progress("work", total=3, stream=out, interactive=True) as bar:
        bar.advance()
    text = out.getvalue()
    assert text.startswith("\r")
    assert text.endswith("\n")


def test_notes_are_printed_on_their_own_line() -> None:
    out = io.StringIO()
    with Progress("work", total=3, stream=out, interactive=True) as bar:
        bar.advance()
        bar.note("line 7: invalid email")
    assert "line 7: invalid email\n" in out.getvalue()


def test_disabled_progress_prints_nothing() -> None:
    out = io.StringIO()
    with Progress("work", total=3, stream=out, enabled=False) as bar:
        bar.advance(3)
    assert out.getvalue() == ""


def test_update_sets_absolute_counts() -> None:
    bar = Progress("work", stream=io.StringIO())
    bar.update(done=10, failed=2, total=40)
    assert (bar.done, bar.failed, bar.total) == (10, 2, 40)


def test_a_failed_run_leaves_no_final_line() -> None:
    out = io.StringIO()
    try:
        with Progress("work", total=3, stream=out) as bar:
            bar.advance()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert out.getvalue() == ""


def test_bad_input_is_counted_apart_from_failures() -> None:
    bar = Progress("import", total=4, stream=io.StringIO())
    bar.advance(skipped=1)
    bar.advance(failed=1)
    bar.advance(2)
    line = bar.render()
    assert "4/4" in line and "1 failed" in line and "1 bad input" in line
