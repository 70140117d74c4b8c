"""README stays true: its rule table is the registry's, and its two commands exist."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_rules_table_matches_the_registry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", readme, re.S).group(1)
    generated = subprocess.run(
        [sys.executable, "-m", "corpuslint", "rules", "--format", "markdown"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert table == generated, "regenerate with: python -m corpuslint rules --format markdown"


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python3 dev.py lint" in readme and "python3 dev.py test" in readme
    assert "python3 dev.py test" in (REPO / ".ci" / "run").read_text()


def test_every_toml_example_in_the_readme_is_a_valid_config(tmp_path):
    from corpuslint.config import load_config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    assert blocks
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "article.schema.json").write_text(
        (REPO / "schemas" / "article.schema.json").read_text()
    )
    for block in blocks:
        (tmp_path / "corpuslint.toml").write_text(block, encoding="utf-8")
        load_config(tmp_path / "corpuslint.toml")
