"""README stays true: its rule table is the registry's, and its two commands exist."""

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_rules_table_matches_the_registry():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from update_readme_rules import generated_table, readme_table
    finally:
        sys.path.pop(0)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_table(readme) == generated_table(), "regenerate with: python scripts/update_readme_rules.py"


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
