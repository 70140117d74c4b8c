#!/usr/bin/env python3
"""Measure the TY and SR rules on real corpora: sample findings for judging, score the judged
ones, check `--fix`, and count zhlint's findings next to corpuslint's.

    python scripts/judge_findings.py sample [--style zhlint] [--out bench/.work/judge]
    python scripts/judge_findings.py score  [--out bench/.work/judge]
    python scripts/judge_findings.py fix    [--style zhlint]
    python scripts/judge_findings.py zhlint

`sample` lints ../shared/real-corpora/{vue-docs-zh-cn,trpl-zh-cn,mdn-css} and ../shared/samples
in process (the rule functions the CLI runs), prints findings per rule and per 1,000 lines, and
draws a seeded random sample of at most 60 findings per rule and corpus into OUT/sample.md, each
with its line and the lines around it. Judge them by editing OUT/verdicts.tsv (one line per
finding: id, then `y` for a real problem or `n` for a false positive); `score` prints the judged
precision per rule and corpus. Ids are stable for a given corpus and rule version.

`fix` applies the fixes, pass after pass as `--fix` does, to a copy in memory of every file and
prints a diff summary: every changed character must be a reported mark (or a space next to
one), a second pass must change nothing, and no other rule may find more than before.

`zhlint` runs zhlint 0.8.2 (bench/anchors, `npm install` there) on the same files with its
default preset, which is Vue's style, and prints its findings per 1,000 lines by kind.
Nothing is written inside the repository except under bench/.work (ignored by git); the
corpora's text is never copied into it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPORA = {
    "vue": (SHARED / "real-corpora" / "vue-docs-zh-cn", "src/**/*.md"),
    "trpl": (SHARED / "real-corpora" / "trpl-zh-cn", "src/**/*.md"),
    "mdn": (SHARED / "real-corpora" / "mdn-css", "files/**/*.md"),
    "samples": (SHARED / "samples", "*.md"),
}
CODES = ("TY001", "TY002", "TY003", "TY004", "SR001")
SAMPLE_SIZE = 60
SEED = 11

sys.path.insert(0, str(REPO))


def _files(corpus: str) -> list[Path]:
    root, pattern = CORPORA[corpus]
    return sorted(root.glob(pattern))


def _options(rule, style: str | None) -> dict:
    options = dict(rule.options)
    if style and "style" in options:
        options["style"] = style
    return options


def _check(rule, doc, style: str | None) -> list:
    from corpuslint.registry import RuleContext

    return list(rule.check(doc, RuleContext(options=_options(rule, style))))


def lint_corpus(corpus: str, style: str | None, codes=CODES) -> tuple[list[dict], int]:
    """Findings of `codes` on a corpus (dicts with path, line, column, code, message, fixable)
    and its number of lines."""
    from corpuslint.document import Document
    from corpuslint.registry import all_rules

    rules = all_rules()
    root = CORPORA[corpus][0]
    found, lines = [], 0
    for path in _files(corpus):
        doc = Document.read(str(path), str(path.relative_to(root)))
        lines += doc.text.count("\n") + 1
        for code in codes:
            for problem in _check(rules[code], doc, style):
                found.append(
                    {
                        "path": doc.path,
                        "line": problem.line,
                        "column": problem.column,
                        "code": problem.code or code,
                        "message": problem.message,
                        "fixable": problem.fix is not None,
                    }
                )
    return found, lines


def finding_id(corpus: str, finding: dict) -> str:
    key = f"{corpus}:{finding['path']}:{finding['line']}:{finding['column']}:{finding['code']}"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def _context(corpus: str, finding: dict) -> str:
    root = CORPORA[corpus][0]
    lines = (root / finding["path"]).read_text(encoding="utf-8", errors="replace").split("\n")
    at = finding["line"] - 1
    out = []
    for number in range(max(0, at - 2), min(len(lines), at + 3)):
        text = lines[number]
        if number == at:
            column = finding["column"] - 1
            text = text[:column] + "⟦" + text[column : column + 1] + "⟧" + text[column + 1 :]
        out.append(f"    {number + 1:>5}{'>' if number == at else ' '} {text}")
    return "\n".join(out)


def cmd_sample(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    report = []
    summary = {}
    verdicts_path = out / "verdicts.tsv"
    known = _read_verdicts(verdicts_path)
    new_ids = []
    for corpus in CORPORA:
        if not CORPORA[corpus][0].is_dir():
            print(f"{corpus}: not present, skipped")
            continue
        found, lines = lint_corpus(corpus, args.style)
        by_code = defaultdict(list)
        for finding in found:
            by_code[finding["code"]].append(finding)
        summary[corpus] = {"lines": lines, "files": len(_files(corpus))}
        counts = " ".join(f"{code}={len(by_code[code])}" for code in CODES)
        per_k = sum(len(v) for k, v in by_code.items() if k.startswith("TY")) * 1000 / max(lines, 1)
        print(f"{corpus}: {lines} lines, {counts}; TY per 1,000 lines {per_k:.2f}")
        for code in CODES:
            summary[corpus][code] = len(by_code[code])
            pool = sorted(by_code[code], key=lambda f: (f["path"], f["line"], f["column"]))
            picked = pool if len(pool) <= SAMPLE_SIZE else rng.sample(pool, SAMPLE_SIZE)
            for finding in picked:
                ident = finding_id(corpus, finding)
                if ident not in known:
                    new_ids.append((ident, corpus, code))
                report.append(
                    f"## {ident} {corpus} {code} {finding['path']}:{finding['line']}:{finding['column']}\n"
                    f"{finding['message']}{' (fixable)' if finding['fixable'] else ''}\n\n"
                    f"{_context(corpus, finding)}\n"
                )
    (out / "sample.md").write_text("\n".join(report), encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    with verdicts_path.open("a", encoding="utf-8") as handle:
        for ident, corpus, code in new_ids:
            handle.write(f"{ident}\t?\t{corpus}\t{code}\n")
    print(f"wrote {out / 'sample.md'} ({len(report)} findings, {len(new_ids)} not judged yet)")
    return 0


def _read_verdicts(path: Path) -> dict[str, tuple[str, str, str]]:
    verdicts = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 4:
                verdicts[parts[0]] = (parts[1], parts[2], parts[3])
    return verdicts


def cmd_score(args) -> int:
    out = Path(args.out)
    verdicts = _read_verdicts(out / "verdicts.tsv")
    sampled = {
        line.split()[1] for line in (out / "sample.md").read_text().splitlines() if line.startswith("## ")
    }
    tally: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for ident, (verdict, corpus, code) in verdicts.items():
        if ident in sampled:
            tally[(corpus, code)][verdict] += 1
    print("| corpus | rule | judged | right | precision |")
    print("|---|---|---:|---:|---:|")
    for (corpus, code), counts in sorted(tally.items()):
        judged = counts["y"] + counts["n"]
        precision = f"{counts['y'] / judged:.2f}" if judged else "-"
        pending = f" ({counts['?']} not judged)" if counts["?"] else ""
        print(f"| {corpus} | {code} | {judged} | {counts['y']} | {precision}{pending} |")
    return 0


# --- fixes ----------------------------------------------------------------------------------------


def _fix_text(text: str, path: str, style: str | None) -> tuple[str, list, int]:
    """Apply safe TY/SR fixes pass after pass (at most 10, as --fix). Returns the new text, the
    (edit, original text) pairs applied and the number of passes that changed something."""
    from corpuslint.diagnostics import Diagnostic, Severity
    from corpuslint.document import Document
    from corpuslint.fixes import apply_fixes
    from corpuslint.registry import all_rules

    rules = all_rules()
    applied = []
    passes = 0
    for _ in range(10):
        doc = Document.from_bytes(path, text.encode("utf-8"))
        diagnostics = [
            Diagnostic(path, p.line, p.column, code, Severity.WARNING, p.message, fix=p.fix)
            for code in CODES
            for p in _check(rules[code], doc, style)
        ]
        new, used = apply_fixes(doc.text, diagnostics, unsafe=False)
        if new == doc.text:
            break
        passes += 1
        for diagnostic in used:
            for edit in diagnostic.fix.edits:
                applied.append((diagnostic.code, doc.text[edit.start : edit.end], edit.replacement))
        text = new
    return text, applied, passes


_ALLOWED = {
    ",": "，",
    ":": "：",
    ";": "；",
    "!": "！",
    "?": "？",
    "(": "（",
    ")": "）",
    '"': "“”",
    "“": "”",
    "”": "“",
    "‘": "’",
    "’": "‘",
}


def _edit_is_a_mark(original: str, replacement: str) -> bool:
    """An edit changes one reported mark (with the backslash that escapes it) into its
    replacement, with only plain spaces around."""
    core = original.strip(" ")
    if len(core) == 2 and core[0] == "\\":
        core = core[1:]
    return len(replacement) == 1 and replacement in _ALLOWED.get(core, "")


def _other_counts(text: str, path: str) -> Counter:
    from corpuslint.document import Document
    from corpuslint.registry import RuleContext, all_rules

    counts: Counter = Counter()
    for code, rule in all_rules().items():
        if rule.phase != "document" or rule.check is None or code in CODES:
            continue
        doc = Document.from_bytes(path, text.encode("utf-8"))
        try:
            counts[code] += len(list(rule.check(doc, RuleContext(options=dict(rule.options)))))
        except Exception as exc:  # another rule's half-done work must not stop the measurement
            counts[f"{code} failed: {type(exc).__name__}"] += 1
    return counts


def cmd_fix(args) -> int:
    if args.cli:
        return cmd_fix_cli(args)
    status = 0
    for corpus in CORPORA:
        if not CORPORA[corpus][0].is_dir():
            continue
        root = CORPORA[corpus][0]
        changed_files = edits = bad = second = 0
        by_code: Counter = Counter()
        other_delta: Counter = Counter()
        for path in _files(corpus):
            original = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
            shown = str(path.relative_to(root))
            fixed, applied, _ = _fix_text(original, shown, args.style)
            if fixed == original:
                continue
            changed_files += 1
            edits += len(applied)
            for code, before, after in applied:
                by_code[code] += 1
                if not _edit_is_a_mark(before, after):
                    bad += 1
                    print(f"  {corpus} {shown}: {code} changed {before!r} to {after!r}")
            again, more, _ = _fix_text(fixed, shown, args.style)
            if again != fixed:
                second += 1
                print(f"  {corpus} {shown}: a second --fix changes {len(more)} more marks")
            before_counts, after_counts = _other_counts(original, shown), _other_counts(fixed, shown)
            for code in set(before_counts) | set(after_counts):
                if after_counts[code] > before_counts[code]:
                    other_delta[code] += after_counts[code] - before_counts[code]
                    print(f"  {corpus} {shown}: {code} {before_counts[code]} -> {after_counts[code]}")
        codes = ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())) or "none"
        news = ", ".join(f"{c} +{n}" for c, n in sorted(other_delta.items())) or "none"
        print(
            f"{corpus}: {changed_files} files changed, {edits} edits ({codes}); edits that are not "
            f"a reported mark: {bad}; files a second --fix changes: {second}; new findings of other rules: {news}"
        )
        if bad or second or other_delta:
            status = 1
    return status


def _changes_are_marks(before: str, after: str) -> list[str]:
    """What changed between two texts, character by character, that is not a mark turned into
    its replacement, a plain space removed or an escaping backslash removed."""
    import difflib

    wrong = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = before[i1:i2], after[j1:j2]
        if op == "equal" or (op == "delete" and not old.strip(" \\")):
            continue
        core = old.replace(" ", "").replace("\\", "")
        if (
            op == "replace"
            and len(core) == len(new)
            and all(b in _ALLOWED.get(a, "") for a, b in zip(core, new, strict=True))
        ):
            continue
        wrong.append(f"{op} {old!r} -> {new!r}")
    return wrong


def cmd_fix_cli(args) -> int:
    """`corpuslint check --fix` over a copy of each corpus (in a temporary directory outside the
    repository), then a character diff of every changed file and a second --fix."""
    import shutil
    import tempfile

    status = 0
    for corpus in CORPORA:
        root = CORPORA[corpus][0]
        if not root.is_dir():
            continue
        with tempfile.TemporaryDirectory(prefix=f"corpuslint-fix-{corpus}-") as tmp:
            copy = Path(tmp) / "corpus"
            shutil.copytree(root, copy, copy_function=shutil.copyfile)
            for path in [copy, *copy.rglob("*")]:
                path.chmod(0o755 if path.is_dir() else 0o644)  # the corpora are read-only
            config = Path(tmp) / "corpuslint.toml"
            config.write_text(f'[rules.TY001]\nstyle = "{args.style or "zhlint"}"\n', encoding="utf-8")
            command = [sys.executable, "-m", "corpuslint", "check", "--config", str(config), "--no-links"]
            command += ["--no-cache", "--select", "TY", "--fix", "--quiet", str(copy)]
            subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
            changed = wrong = 0
            snapshot = {}
            for path in sorted(copy.rglob("*.md")):
                original = (root / path.relative_to(copy)).read_bytes()
                now = path.read_bytes()
                snapshot[path] = now
                if now == original:
                    continue
                changed += 1
                problems = _changes_are_marks(
                    original.decode("utf-8", "replace"), now.decode("utf-8", "replace")
                )
                wrong += len(problems)
                for problem in problems[:3]:
                    print(f"  {corpus} {path.relative_to(copy)}: {problem}")
            subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
            again = sum(1 for path, data in snapshot.items() if path.read_bytes() != data)
        print(
            f"{corpus}: corpuslint check --fix changed {changed} files; changes that are not a reported "
            f"mark: {wrong}; files a second --fix changes: {again}"
        )
        status |= bool(wrong or again)
    return status


# --- zhlint ---------------------------------------------------------------------------------------

_ZHLINT = r"""
const { run } = require(process.argv[process.argv.length - 1]);
const fs = require('fs');
const files = JSON.parse(fs.readFileSync(process.argv[process.argv.length - 2], 'utf8'));
const kinds = {};
let total = 0;
for (const file of files) {
  let result;
  try { result = run(fs.readFileSync(file, 'utf8'), { rules: { preset: 'default' } }); }
  catch (e) { kinds['(zhlint failed)'] = (kinds['(zhlint failed)'] || 0) + 1; continue; }
  for (const v of result.validations) { total++; kinds[v.message] = (kinds[v.message] || 0) + 1; }
}
console.log(JSON.stringify({ total, kinds }));
"""


# zhlint's messages about punctuation width and pairing (what TY001-TY004 look at); the others
# are about spaces, which corpuslint does not check.
_ZHLINT_WIDTH = (
    "此处标点符号需要使用全角",
    "此处标点符号需要使用半角",
    "引号未匹配",
    "括号未匹配",
    "引号未闭合",
    "括号未闭合",
)


def cmd_zhlint(args) -> int:
    module = REPO / "bench" / "anchors" / "node_modules" / "zhlint"
    if not module.is_dir():
        print("zhlint is not installed: cd bench/anchors && npm install")
        return 2
    for corpus in CORPORA:
        files = _files(corpus)
        if not files:
            continue
        lines = sum(p.read_text(encoding="utf-8", errors="replace").count("\n") + 1 for p in files)
        listing = Path(args.out) / f"zhlint-files-{corpus}.json"
        listing.parent.mkdir(parents=True, exist_ok=True)
        listing.write_text(json.dumps([str(p) for p in files]), encoding="utf-8")
        proc = subprocess.run(
            ["node", "-e", _ZHLINT, str(listing), str(module)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if proc.returncode:
            print(f"{corpus}: zhlint failed: {proc.stderr[-500:]}")
            continue
        result = json.loads(proc.stdout)
        width = sum(n for kind, n in result["kinds"].items() if kind in _ZHLINT_WIDTH)
        print(
            f"{corpus}: {lines} lines, zhlint {result['total']} ({result['total'] * 1000 / lines:.1f} per "
            f"1,000 lines); punctuation width and pairing {width} ({width * 1000 / lines:.1f} per 1,000 lines)"
        )
        for kind, count in sorted(result["kinds"].items(), key=lambda kv: -kv[1])[:12]:
            print(f"    {count:>6} {kind}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("sample", "score", "fix", "zhlint"):
        command = sub.add_parser(name)
        command.add_argument("--out", default=str(REPO / "bench" / ".work" / "judge"))
        command.add_argument("--style", default=None, help="TY001/TY003 style (default: the rules' default)")
        if name == "fix":
            command.add_argument("--cli", action="store_true", help="run `corpuslint check --fix` on a copy")
    args = parser.parse_args(argv)
    return {"sample": cmd_sample, "score": cmd_score, "fix": cmd_fix, "zhlint": cmd_zhlint}[args.command](
        args
    )


if __name__ == "__main__":
    sys.exit(main())
