"""Document: one read, one decode, one split; bad bytes become diagnostics, never exceptions."""

from corpuslint.document import Document

ARTICLE = "---\ntitle: 标题\ndate: 2025-06-25T17:10:04+08:00\n---\n正文[^1]。\n\n[^1]: 来源。\n"


def test_front_matter_is_split_from_body_with_line_offsets():
    doc = Document.from_bytes("a.md", ARTICLE.encode())
    assert doc.front_matter.format == "yaml"
    assert doc.front_matter.data["title"] == "标题"
    assert doc.body.startswith("正文")
    assert doc.body_line == 4
    assert doc.position(doc.text.index("正文")) == (5, 1)


def test_timestamps_stay_as_the_author_wrote_them():
    doc = Document.from_bytes("a.md", ARTICLE.encode())
    assert doc.front_matter.data["date"] == "2025-06-25T17:10:04+08:00"


def test_bom_and_crlf_lint_like_any_other_file():
    plain = Document.from_bytes("a.md", ARTICLE.encode())
    odd = Document.from_bytes("a.md", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    assert odd.bom and odd.newline == "\r\n"
    assert odd.text == plain.text
    assert odd.front_matter.data == plain.front_matter.data
    assert odd.front_matter.positions == plain.front_matter.positions


def test_invalid_utf8_reports_byte_offset_and_position():
    data = b"---\ntitle: ok\n---\nab" + b"\xc4\xe3\n"
    doc = Document.from_bytes("a.md", data)
    problem = doc.read_problem
    assert problem.code == "IO001"
    assert "offset 20" in problem.message
    assert (problem.line, problem.column) == (4, 3)


def test_empty_file_has_no_front_matter_and_an_empty_body():
    doc = Document.from_bytes("a.md", b"")
    assert doc.front_matter is None and doc.body == "" and doc.read_problem is None
    assert doc.markdown.inlines == []


def test_positions_round_trip():
    doc = Document.from_bytes("a.md", "一\n二三\n\n四".encode())
    for offset in range(len(doc.text)):
        line, column = doc.position(offset)
        assert doc.offset(line, column) == offset


def test_unreadable_path_is_a_read_problem(tmp_path):
    doc = Document.read(str(tmp_path / "missing.md"))
    assert doc.read_problem.code == "IO002"


def test_oversized_file_is_not_read(tmp_path, monkeypatch):
    from corpuslint import document

    monkeypatch.setattr(document, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.md"
    path.write_text("x" * 11)
    doc = Document.read(str(path))
    assert doc.read_problem.code == "IO002" and "limit" in doc.read_problem.message


def test_the_front_matter_is_parsed_only_when_asked_for_and_once(monkeypatch):
    from corpuslint import front_matter

    calls = []
    real = front_matter.load
    monkeypatch.setattr(
        front_matter, "load", lambda fm, version="1.2": calls.append(version) or real(fm, version)
    )
    doc = Document.from_bytes("a.md", b"---\nok: yes\n---\nbody\n", yaml_version="1.1")
    assert calls == [] and doc.body == "body\n"
    assert doc.front_matter.data == {"ok": True}  # YAML 1.1, as asked
    assert doc.front_matter is doc.front_matter and calls == ["1.1"]


def test_a_run_without_front_matter_rules_never_parses_the_yaml(corpus, cli, monkeypatch):
    from corpuslint import front_matter

    root = corpus({"a.md": "---\ntitle: [unclosed\n---\n中文,English。\n"})
    monkeypatch.setattr(front_matter, "load", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    result = cli("check", "--select", "TY", "--no-links", "--no-cache", "--jobs", "1", ".", cwd=root)
    assert "TY001" in result.out and "IO003" not in result.out, result
    with_fm = cli("check", "--select", "FM", "--no-links", "--no-cache", "--jobs", "1", ".", cwd=root)
    assert "IO003" in with_fm.out  # the FM rules did ask for it


def test_short_reads_are_continued_to_the_end_of_the_file(tmp_path, monkeypatch):
    import os

    from corpuslint import document

    data = ARTICLE.encode() * 50
    (tmp_path / "a.md").write_bytes(data)
    real_read = os.read
    monkeypatch.setattr(document.os, "read", lambda fd, n: real_read(fd, min(n, 7)))
    assert document.read_bytes(str(tmp_path / "a.md")) == data


def test_the_bytes_read_are_the_files_bytes_at_every_size(tmp_path):
    from corpuslint import document

    for size in (0, 1, 4095, 4096, 65536, 65537, 300_000):
        data = bytes(range(256)) * (size // 256) + bytes(size % 256)
        (tmp_path / "a.md").write_bytes(data)
        assert document.read_bytes(str(tmp_path / "a.md")) == data
