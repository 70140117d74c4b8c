"""[[schemas]] entries (first match wins, `exclude` per entry) and [front_matter] yaml = "1.2" | "1.1"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpuslint.cli import main
from corpuslint.config import ConfigError, load_config


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def lint(root: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    code = main(["check", "--no-links", "--no-cache", "--select", "FM", "."])
    out = capsys.readouterr()
    return code, out.out, out.err


SECTION = json.dumps({"type": "object", "required": ["title", "date"]})
INDEX = json.dumps({"type": "object", "required": ["title"]})


def test_the_first_matching_entry_wins(tmp_path, capsys, monkeypatch):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["content/_index.md"]\nschema = "index.json"\n'
            '[[schemas]]\nfiles = ["content/*.md"]\nschema = "section.json"\n',
            "index.json": INDEX,
            "section.json": SECTION,
            "content/_index.md": "---\ntitle: Home\n---\n",
            "content/post.md": "---\ntitle: Post\n---\n",
        },
    )
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1
    assert "content/post.md:2:1: FM003 missing required key 'date'" in out
    assert "_index.md" not in out


def test_an_entrys_exclude_keeps_a_file_out_of_it_and_the_next_entry_may_take_it(
    tmp_path, capsys, monkeypatch
):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["content/*.md"]\nexclude = ["_index.md"]\n'
            'schema = "section.json"\n'
            '[[schemas]]\nfiles = ["**/_index.md"]\nschema = "index.json"\n',
            "index.json": INDEX,
            "section.json": SECTION,
            "content/_index.md": "---\ndate: 2025-01-01\n---\n",
            "content/post.md": "---\ntitle: Post\ndate: 2025-01-01\n---\n",
        },
    )
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1
    assert out.count("FM003") == 1
    assert "content/_index.md:2:1: FM003 missing required key 'title'" in out


def test_an_excluded_file_with_no_other_entry_has_no_schema(tmp_path, capsys, monkeypatch):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["*.md"]\nexclude = ["drafts"]\nschema = "section.json"\n',
            "section.json": SECTION,
            "drafts/a.md": "no front matter\n",
            "b.md": "---\ntitle: B\ndate: 2025-01-01\n---\n",
        },
    )
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 0, out


@pytest.mark.parametrize("exclude", ["3", "[1]", '[""]'])
def test_a_bad_exclude_is_a_configuration_error(exclude, tmp_path):
    write(tmp_path, {"section.json": SECTION})
    path = tmp_path / "corpuslint.toml"
    path.write_text(f'[[schemas]]\nfiles = ["*.md"]\nschema = "section.json"\nexclude = {exclude}\n')
    with pytest.raises(ConfigError, match=r"schemas\[0\]\.exclude: must be a list of glob strings"):
        load_config(path)


YAML_DOC = "---\ntitle: on\ndraft: yes\nweight: 1e3\ndate: 2025-06-25\n---\n"
TYPED = json.dumps(
    {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "draft": {"type": "boolean"},
            "weight": {"type": "number"},
            "date": {"type": "string", "format": "date"},
        },
    }
)


def test_yaml_1_2_is_the_default(tmp_path, capsys, monkeypatch):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["*.md"]\nschema = "typed.json"\n',
            "typed.json": TYPED,
            "a.md": YAML_DOC,
        },
    )
    code, out, _err = lint(root, capsys, monkeypatch)
    assert out.splitlines()[0] == "a.md:3:1: FM003 draft: must be true or false, not a string ('yes')"
    assert code == 1 and out.count("FM003") == 1


def test_yaml_1_1_on_request(tmp_path, capsys, monkeypatch):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[front_matter]\nyaml = "1.1"\n\n[[schemas]]\nfiles = ["*.md"]\nschema = "typed.json"\n',
            "typed.json": TYPED,
            "a.md": YAML_DOC,
        },
    )
    code, out, _err = lint(root, capsys, monkeypatch)
    assert code == 1
    assert "a.md:2:1: FM003 title: must be a string, not a boolean (true)" in out
    assert "a.md:4:1: FM003 weight: must be a number, not a string ('1e3')" in out
    assert out.count("FM003") == 2


@pytest.mark.parametrize(
    "table, message",
    [
        ('yaml = "1.3"', r"front_matter\.yaml: must be \"1.2\" or \"1.1\""),
        ("yaml = true", r"front_matter\.yaml: must be"),
        ('dialect = "x"', r"front_matter\.dialect: unknown key"),
    ],
)
def test_a_bad_front_matter_table_is_a_configuration_error(table, message, tmp_path):
    path = tmp_path / "corpuslint.toml"
    path.write_text(f"[front_matter]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_the_yaml_version_is_part_of_the_cache_key(tmp_path, capsys, monkeypatch):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["*.md"]\nschema = "typed.json"\n',
            "typed.json": TYPED,
            "a.md": YAML_DOC,
        },
    )
    monkeypatch.chdir(root)
    assert main(["check", "--no-links", "--select", "FM", "."]) == 1
    (root / "corpuslint.toml").write_text(
        '[front_matter]\nyaml = "1.1"\n[[schemas]]\nfiles = ["*.md"]\nschema = "typed.json"\n'
    )
    capsys.readouterr()
    assert main(["check", "--no-links", "--select", "FM", "."]) == 1
    assert "weight: must be a number" in capsys.readouterr().out


def test_a_change_in_a_referenced_schema_file_is_part_of_the_cache_key(tmp_path, capsys, monkeypatch):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": '[[schemas]]\nfiles = ["*.md"]\nschema = "page.json"\n',
            "page.json": json.dumps({"properties": {"title": {"$ref": "defs.json"}}}),
            "defs.json": json.dumps({"type": "string"}),
            "a.md": "---\ntitle: 3\n---\n",
        },
    )
    monkeypatch.chdir(root)
    assert main(["check", "--no-links", "--select", "FM", "."]) == 1
    (root / "defs.json").write_text(json.dumps({"type": "integer"}))
    from corpuslint import schemas

    schemas.clear_cache()
    assert main(["check", "--no-links", "--select", "FM", "."]) == 0


def test_a_change_in_a_file_referenced_by_a_documents_schema_is_seen_by_the_cache(
    tmp_path, capsys, monkeypatch
):
    root = write(
        tmp_path,
        {
            "corpuslint.toml": "",
            "page.json": json.dumps({"properties": {"title": {"$ref": "defs.json"}}}),
            "defs.json": json.dumps({"type": "string"}),
            "a.md": "---\n$schema: page.json\ntitle: 3\n---\n",
        },
    )
    monkeypatch.chdir(root)
    assert main(["check", "--no-links", "--select", "FM", "."]) == 1
    (root / "defs.json").write_text(json.dumps({"type": "integer"}) + " ")
    from corpuslint import schemas

    schemas.clear_cache()
    assert main(["check", "--no-links", "--select", "FM", "."]) == 0
