"""Regenerate the README's generated sections from the code (`make readme`).

The lifecycle table comes from models.lifecycle.TRANSITIONS and the settings table from
models.settings.Settings; a test fails when the README is out of date.
"""

from __future__ import annotations

import re
import sys
from functools import partial
from pathlib import Path

from models.lifecycle import markdown_table
from models.settings import Settings


def settings_table() -> str:
    rows = ["| environment variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env = getattr(alias, "choices", [None])[0] if alias is not None else None
        env = env or f"BANHANH_{name.upper()}"
        default = field.default if field.default not in ("", None) else "(empty)"
        rows.append(f"| `{env}` | `{default}` | {field.description or ''} |")
    return "\n".join(rows)


SECTIONS = {"lifecycle": markdown_table, "settings": settings_table}


def _fill(match: re.Match[str], body: str) -> str:
    return match.group(1) + body + "\n" + match.group(2)


def regenerate(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"README has no {name} markers")
        body = make()
        text = pattern.sub(partial(_fill, body=body), text)
    return text


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(regenerate(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
