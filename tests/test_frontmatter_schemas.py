"""Schema files: $refs across local files work; nothing is ever fetched; hostile schema files and
`$schema` values are clear errors, never tracebacks or hangs."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from pathlib import Path

import pytest

from corpuslint.cli import main


def project(
    tmp_path: Path, schemas: dict[str, object], docs: dict[str, str], entry: str = "page.json"
) -> Path:
    (tmp_path / "schemas").mkdir(parents=True)
    for name, schema in schemas.items():
        text = schema if isinstance(schema, str) else json.dumps(schema)
        (tmp_path / "schemas" / name).write_text(text, encoding="utf-8")
    (tmp_path / "content").mkdir()
    for name, text in docs.items():
        (tmp_path / "content" / name).write_text(text, encoding="utf-8")
    (tmp_path / "corpuslint.toml").write_text(
        f'[[schemas]]\nfiles = ["content/**/*.md"]\nschema = "schemas/{entry}"\n', encoding="utf-8"
    )
    return tmp_path


def lint(root: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    from corpuslint import schemas

    schemas.clear_cache()
    code = main(["check", "--no-links", "--no-cache", "."])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- $refs between local files ---------------------------------------------------------------------

TOML_PAGE = (
    '+++\ntitle = "A"\n\n[extra]\nauthor = "x"\nteam_url = "https://a.test/ https://b.test/"\n+++\nBody\n'
)
DEFS = {
    "$defs": {
        "extra": {"type": "object", "properties": {"team_url": {"type": "string", "pattern": "^\\S+$"}}}
    }
}


def test_a_relative_ref_to_another_file_is_followed_and_its_errors_name_the_key(
    tmp_path, capsys, monkeypatch
):
    page = {"type": "object", "properties": {"extra": {"$ref": "defs.json#/$defs/extra"}}}
    root = project(tmp_path, {"page.json": page, "defs.json": DEFS}, {"a.md": TOML_PAGE})
    code, out, err = lint(root, capsys, monkeypatch)
    assert code == 1, err
    assert "content/a.md:6:1: FM003 extra.team_url: 'https://a.test/ https://b.test/' does not match" in out


def test_a_ref_under_the_schemas_own_id_is_the_file_beside_it(tmp_path, capsys, monkeypatch):
    page = {
        "$id": "https://schemas.test/site/page.json",
        "type": "object",
        "properties": {"extra": {"$ref": "https://schemas.test/site/defs.json#/$defs/extra"}},
    }
    root = project(tmp_path, {"page.json": page, "defs.json": DEFS}, {"a.md": TOML_PAGE})
    code, out, err = lint(root, capsys, monkeypatch)
    assert code == 1, err
    assert "6:1: FM003 extra.team_url:" in out


def test_a_ref_to_the_id_of_a_sibling_file_is_that_file(tmp_path, capsys, monkeypatch):
    defs = {"$id": "https://common.test/defs", **DEFS}
    page = {"type": "object", "properties": {"extra": {"$ref": "https://common.test/defs#/$defs/extra"}}}
    root = project(tmp_path, {"page.json": page, "common.json": defs}, {"a.md": TOML_PAGE})
    code, out, err = lint(root, capsys, monkeypatch)
    assert code == 1, err
    assert "6:1: FM003 extra.team_url:" in out


def test_defs_in_the_same_file_report_at_the_nested_key(tmp_path, capsys, monkeypatch):
    page = {"type": "object", "properties": {"extra": {"$ref": "#/$defs/extra"}}, **DEFS}
    root = project(tmp_path, {"page.json": page}, {"a.md": TOML_PAGE})
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1 and "6:1: FM003 extra.team_url:" in out


def test_a_ref_to_a_pointer_that_is_not_there_is_a_configuration_error(tmp_path, capsys, monkeypatch):
    page = {"type": "object", "properties": {"extra": {"$ref": "defs.json#/$defs/missing"}}}
    root = project(tmp_path, {"page.json": page, "defs.json": DEFS}, {"a.md": TOML_PAGE})
    code, _out, err = lint(root, capsys, monkeypatch)
    assert code == 2
    assert "schemas/page.json" in err and "'defs.json#/$defs/missing' does not resolve" in err


# --- nothing is fetched ----------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        _Recorder.requests.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "ref",
    [
        "{server}/remote.json",
        "{server}/remote.json#/definitions/x",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://json-schema.invalid/x.json",
        "../../outside.json",
    ],
)
def test_a_remote_or_outside_ref_is_a_configuration_error_and_nothing_is_requested(
    ref, server, tmp_path, capsys, monkeypatch
):
    ref = ref.format(server=server)
    page = {"type": "object", "properties": {"title": {"$ref": ref}}}
    (tmp_path.parent / "outside.json").write_text('{"type": "string"}')
    root = project(tmp_path, {"page.json": page}, {"a.md": "---\ntitle: T\n---\n"})
    code, out, err = lint(root, capsys, monkeypatch)
    assert code == 2, (out, err)
    assert "schemas/page.json" in err and repr(ref) in err
    assert "never fetches" in err
    assert _Recorder.requests == []


def test_a_remote_ref_in_a_referenced_file_is_refused_too(server, tmp_path, capsys, monkeypatch):
    page = {"type": "object", "properties": {"extra": {"$ref": "defs.json"}}}
    defs = {"type": "object", "properties": {"x": {"$ref": f"{server}/x.json"}}}
    root = project(tmp_path, {"page.json": page, "defs.json": defs}, {"a.md": "---\ntitle: T\n---\n"})
    code, _out, err = lint(root, capsys, monkeypatch)
    assert code == 2 and "schemas/defs.json" in err
    assert _Recorder.requests == []


def test_a_document_schema_with_a_remote_ref_is_one_fm003_and_no_request(
    server, tmp_path, capsys, monkeypatch
):
    (tmp_path / "s.json").write_text(json.dumps({"properties": {"title": {"$ref": f"{server}/t.json"}}}))
    (tmp_path / "corpuslint.toml").write_text("")
    (tmp_path / "a.md").write_text("---\n$schema: s.json\ntitle: T\n---\n")
    code, out, _err = lint(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert "a.md:2:1: FM003 $schema: cannot use 's.json'" in out and "never fetches" in out
    assert _Recorder.requests == []


# --- $schema in a document -------------------------------------------------------------------------


def _doc_with(tmp_path: Path, declared: str) -> Path:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "corpuslint.toml").write_text("")
    (tmp_path / "proj" / "a.md").write_text(f"---\n$schema: {json.dumps(declared)}\ntitle: T\n---\n")
    return tmp_path / "proj"


@pytest.mark.parametrize(
    "declared", ["/etc/passwd", "/nonexistent/x.json", "../secret.json", "../missing.json"]
)
def test_a_document_schema_outside_the_project_is_refused_without_saying_whether_it_exists(
    declared, tmp_path, capsys, monkeypatch
):
    (tmp_path / "secret.json").write_text('{"type": "object"}')
    root = _doc_with(tmp_path, declared)
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1
    assert f"a.md:2:1: FM003 $schema: {declared!r} is outside the project" in out
    assert "does not exist" not in out and "No such file" not in out and "not found" not in out


@pytest.mark.parametrize("declared", ["a\x00b.json", "http://127.0.0.1:9/s.json", "file:///etc/passwd"])
def test_a_document_schema_that_is_not_a_path_is_refused_without_a_traceback(
    declared, tmp_path, capsys, monkeypatch
):
    root = _doc_with(tmp_path, declared)
    code, out, err = lint(root, capsys, monkeypatch)
    assert code == 1 and "Traceback" not in err
    assert "a.md:2:1: FM003 $schema: " in out


def test_a_document_schema_inside_the_project_applies(tmp_path, capsys, monkeypatch):
    root = _doc_with(tmp_path, "s.json")
    (root / "s.json").write_text(json.dumps({"properties": {"title": {"type": "integer"}}}))
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1 and "a.md:3:1: FM003 title: must be an integer, not a string ('T')" in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_by_schema_or_by_the_config_is_an_error_not_a_hang(tmp_path, capsys, monkeypatch):
    root = _doc_with(tmp_path, "fifo.json")
    os.mkfifo(root / "fifo.json")
    start = time.monotonic()
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1 and "not a regular file" in out
    (root / "corpuslint.toml").write_text('[[schemas]]\nfiles = ["*.md"]\nschema = "fifo.json"\n')
    code, _out, err = lint(root, capsys, monkeypatch)
    assert code == 2 and "fifo.json" in err
    assert time.monotonic() - start < 10


# --- hostile schema files --------------------------------------------------------------------------


def _nested(levels: int) -> dict:
    schema: dict = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


@pytest.mark.parametrize(
    "text, message",
    [
        (json.dumps(_nested(400)), "nests deeper than 64 levels"),
        ("[" * 100_000 + "]" * 100_000, "nests deeper than 64 levels"),
        ('{"maxLength": ' + "9" * 5000 + "}", "cannot be read"),
        ('{"type": "object",}', "not valid JSON"),
        ("\xff", "not UTF-8"),
    ],
    ids=["400-levels", "100k-brackets", "big-integer", "bad-json", "not-utf8"],
)
def test_a_hostile_schema_file_is_a_configuration_error(text, message, tmp_path, capsys, monkeypatch):
    root = project(tmp_path, {}, {"a.md": "---\ntitle: T\n---\n"})
    (root / "schemas" / "page.json").write_bytes(text.encode("latin-1") if text == "\xff" else text.encode())
    start = time.monotonic()
    code, _out, err = lint(root, capsys, monkeypatch)
    assert code == 2, err
    assert "schemas/page.json" in err and message in err and "Traceback" not in err
    assert time.monotonic() - start < 10


# --- patterns with a time bound ---------------------------------------------------------------------


def _pattern_run(tmp_path: Path, pattern: str, title: str, capsys, monkeypatch) -> tuple[float, str]:
    page = {"type": "object", "properties": {"title": {"type": "string", "pattern": pattern}}}
    root = project(tmp_path, {"page.json": page}, {"a.md": f"---\ntitle: {title}\n---\n"})
    from corpuslint import schema_patterns

    schema_patterns._slow.clear()  # each run meets the pattern afresh: the timeout bounds it
    start = time.monotonic()
    _code, out, _err = lint(root, capsys, monkeypatch)
    return time.monotonic() - start, out


def test_a_nested_quantifier_pattern_on_a_35_character_title_does_not_hang(tmp_path, capsys, monkeypatch):
    elapsed, out = _pattern_run(tmp_path, "^(a+)+$", "a" * 34 + "!", capsys, monkeypatch)
    assert elapsed < 10
    assert "title:" in out and "FM003" in out


def test_a_backtracking_pattern_is_reported_as_not_checked_within_the_bound(tmp_path, capsys, monkeypatch):
    elapsed, out = _pattern_run(tmp_path / "one", "^(a|a)*$", "a" * 35 + "!", capsys, monkeypatch)
    assert elapsed < 10
    assert "was not checked against the pattern '^(a|a)*$'" in out
    longer, _ = _pattern_run(tmp_path / "four", "^(a|a)*$", "a" * 140 + "!", capsys, monkeypatch)
    assert longer < 8 * max(elapsed, 0.5)


def test_a_pattern_that_timed_out_is_not_run_again(tmp_path, capsys, monkeypatch):
    from corpuslint import schema_patterns

    hostile = "^(b|b)*$"
    with pytest.raises(schema_patterns.PatternTimeout):
        schema_patterns.search(hostile, "b" * 40 + "!")
    start = time.monotonic()
    for _ in range(100):
        with pytest.raises(schema_patterns.PatternTimeout):
            schema_patterns.search(hostile, "b" * 40 + "!")
    assert time.monotonic() - start < 1
