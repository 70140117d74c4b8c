"""The progress line: done/total, failures so far and rate, redrawn in place on stderr."""

import io

from corpuslint.links.phase import Progress


def test_progress_line_counts_done_and_failed_and_ends_with_a_newline():
    stream = io.StringIO()
    bar = Progress(3, stream)
    bar.update(False)
    bar.update(True)
    bar.update(False)
    bar.close()
    text = stream.getvalue()
    assert text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert last.startswith("links: 3/3 checked, 1 failed, ") and "/s" in last


def test_progress_is_drawn_at_most_ten_times_a_second():
    stream = io.StringIO()
    bar = Progress(1000, stream)
    for _ in range(500):
        bar.update(False)
    assert stream.getvalue().count("\r") < 50
