"""The README's generated sections match the code."""

from cli.readme import regenerate
from tests.factory import REPO


def test_readme_tables_are_generated_from_the_code() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert regenerate(text) == text, "run `make readme`"
    assert "| in_review | approve | reviewer |" in text
