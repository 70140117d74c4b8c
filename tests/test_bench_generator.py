"""bench/generate_corpus.py: deterministic, and its manifest says exactly what it injected."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ALL_CODES = {f"FM00{i}" for i in range(1, 6)} | {f"FN00{i}" for i in range(1, 6)}


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", REPO / "bench" / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_corpus(tmp_path: Path) -> None:
    gen.generate(tmp_path / "a", 20, 7)
    gen.generate(tmp_path / "b", 20, 7)
    gen.generate(tmp_path / "c", 20, 8)
    a, b, c = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert a == b
    assert len([p for p in a if p.endswith(".md")]) == 20
    assert a["manifest.json"] != c["manifest.json"]


def test_prefix_stable(tmp_path: Path) -> None:
    """The first files of a larger corpus are the files of a smaller one (same seed)."""
    gen.generate(tmp_path / "small", 5, 3)
    gen.generate(tmp_path / "large", 20, 3)
    small, large = _tree(tmp_path / "small"), _tree(tmp_path / "large")
    for path, data in small.items():
        if path.endswith(".md"):
            assert large[path] == data


def test_config_applies_schema(tmp_path: Path) -> None:
    gen.generate(tmp_path, 1, 1)
    config = (tmp_path / "corpuslint.toml").read_text(encoding="utf-8")
    assert 'files = ["**/*.md"]' in config
    assert 'schema = "article.schema.json"' in config


# --- the manifest against the text -----------------------------------------------------------

DEF = re.compile(r"^\[\^([^\]]+)\]:")
REF = re.compile(r"\[\^([^\]]+)\](?!:)")


def _body_lines(lines: list[str]) -> list[tuple[int, str]]:
    """(1-based line, text) of body lines outside fences, with code spans blanked out."""
    start = 0
    if lines and lines[0] == "---":
        start = lines.index("---", 1) + 1
    out, fenced = [], False
    for number, line in enumerate(lines[start:], start + 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append((number, re.sub(r"`[^`]*`", "``", line)))
    return out


def _front_matter(lines: list[str]) -> tuple[str | None, int]:
    if not lines or lines[0] != "---":
        return None, 0
    end = lines.index("---", 1)
    return "\n".join(lines[1:end]) + "\n", end


def _derive(lines: list[str]) -> set[tuple[str, int]]:
    """What an independent reading of the file says is wrong with it."""
    found: set[tuple[str, int]] = set()
    raw, _ = _front_matter(lines)
    if raw is None:
        found.add(("FM001", 1))
    else:
        try:
            data = yaml.load(raw, Loader=gen_loader())
        except yaml.MarkedYAMLError as exc:
            found.add(("FM002", 2 + exc.problem_mark.line))
        else:
            keys: set[str] = set()
            for number, line in enumerate(lines[1 : lines.index("---", 1)], 2):
                key = line.split(":", 1)[0]
                if line and not line.startswith(" ") and ":" in line:
                    if key in keys:
                        found.add(("FM004", number))
                    keys.add(key)
                    if "YYYY" in line or "TODO" in line:
                        found.add(("FM005", number))
                    bad = {
                        "tags": not isinstance(data["tags"], list),
                        "draft": not isinstance(data["draft"], bool),
                        "date": not re.match(r"\d{4}-\d\d-\d\dT", str(data["date"])),
                    }
                    if bad.get(key):
                        found.add(("FM003", number))
    body = _body_lines(lines)
    definitions: dict[str, int] = {}
    references: list[tuple[str, int]] = []
    for number, line in body:
        match = DEF.match(line)
        if match:
            label = match.group(1)
            if label in definitions:
                found.add(("FN003", number))
            else:
                definitions[label] = number
            if "](http" not in line and "<http" not in line:
                found.add(("FN004", number))
        else:
            references.extend((label, number) for label in REF.findall(line))
    referenced = {label for label, _ in references}
    for label, number in references:
        if label not in definitions:
            found.add(("FN001", number))
    for label, number in definitions.items():
        if label not in referenced:
            found.add(("FN002", number))
    first: list[tuple[int, int]] = []
    for label, number in references:
        if label.isdigit() and int(label) not in [f for f, _ in first]:
            first.append((int(label), number))
    for index, (label, number) in enumerate(first):
        if label != index + 1:
            found.add(("FN005", number))
            break
    return found


@pytest.mark.parametrize("profile", ["clean", "dense"])
def test_manifest_matches_injected_defects(tmp_path: Path, profile: str) -> None:
    manifest = gen.generate(tmp_path, 200, 11, profile=profile)
    expected: dict[str, set[tuple[str, int]]] = {}
    for entry in manifest["diagnostics"]:
        expected.setdefault(entry["path"], set()).add((entry["code"], entry["line"]))
    assert {code for entries in expected.values() for code, _ in entries} == ALL_CODES
    files = sorted(p for p in tmp_path.rglob("*.md"))
    assert len(files) == 200
    assert manifest["clean_files"] == 200 - len(expected)
    for path in files:
        relative = str(path.relative_to(tmp_path))
        lines = path.read_text(encoding="utf-8").split("\n")
        assert _derive(lines) == expected.get(relative, set()), relative
    on_disk = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest


def test_clean_files_pass_the_schema(tmp_path: Path) -> None:
    schema_path = REPO / "schemas" / "article.schema.json"
    if not schema_path.is_file():
        pytest.skip("schemas/article.schema.json not written yet")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    manifest = gen.generate(tmp_path, 200, 5)
    fm_defects = {d["path"] for d in manifest["diagnostics"] if d["code"].startswith("FM")}
    loader = gen_loader()
    for path in sorted(tmp_path.rglob("*.md")):
        relative = str(path.relative_to(tmp_path))
        raw, _ = _front_matter(path.read_text(encoding="utf-8").split("\n"))
        if relative in fm_defects:
            continue
        data = yaml.load(raw, Loader=loader)
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (relative, errors)


def gen_loader():
    """YAML as corpuslint reads it: timestamps stay strings."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return Loader


def test_dense_profile_is_dense_in_halfwidth_marks_and_residue(tmp_path: Path) -> None:
    gen.generate(tmp_path / "clean", 20, 4)
    gen.generate(tmp_path / "dense", 20, 4, profile="dense")

    def marks(root: Path) -> float:
        texts = [p.read_text(encoding="utf-8") for p in sorted((root / "content").rglob("*.md"))]
        text = "".join(texts)
        return len(re.findall(r"[\u4e00-\u9fff][,:;!?(]|[,:;!?)] ?[\u4e00-\u9fff]", text)) / (
            len(text.encode()) / 1024
        )

    assert marks(tmp_path / "clean") < 1 < 8 < marks(tmp_path / "dense")
    dense = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "dense" / "content").rglob("*.md"))
    assert sum(dense.count(line) for line in gen.RESIDUE) >= 20 * 3
