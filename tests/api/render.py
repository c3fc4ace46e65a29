"""Renders the tables of docs/api.md from tests/api/surface.json.

`python3 tests/api/render.py` rewrites the part of docs/api.md between the
markers; `--check` exits 1 when docs/api.md differs from the rendering.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SURFACE = ROOT / "tests" / "api" / "surface.json"
DOC = ROOT / "docs" / "api.md"
BEGIN = "<!-- generated from tests/api/surface.json: begin -->"
END = "<!-- generated from tests/api/surface.json: end -->"
CAMEL = ("kotlin", "swift", "node")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def names(member: dict, languages: list) -> str:
    """The member's name in each language that has it."""
    only = member.get("only", languages)
    snake = [lang for lang in languages if lang in only and lang not in CAMEL]
    camels = [lang for lang in languages if lang in only and lang in CAMEL]
    parts = []
    if snake:
        parts.append(f"`{member['name']}` ({', '.join(snake)})")
    if camels:
        parts.append(f"`{camel(member['name'])}` ({', '.join(camels)})")
    return "<br>".join(parts)


def render(surface: dict) -> str:
    languages = surface["languages"]
    out = []
    for type_name, spec in surface["classes"].items():
        langs = spec.get("only", languages)
        out.append(f"### {type_name}\n")
        if "only" in spec:
            out.append(f"In {', '.join(langs)} only.\n")
        out.append("| kind | name per language | parameters, in order | returns | errors |")
        out.append("|---|---|---|---|---|")
        for kind in ("constructors", "methods"):
            for m in spec.get(kind, []):
                params = ", ".join(m["params"]) or "(none)"
                suffix = " (async)" if m.get("async") else ""
                out.append(
                    f"| {kind[:-1]}{suffix} | {names(m, langs)} | {params} | `{m['returns']}` "
                    f"| {m.get('errors', '')} |"
                )
        for p in spec.get("properties", []):
            kind = "settable property" if p.get("settable") else "property"
            out.append(f"| {kind} | {names(p, langs)} | | `{p['type']}` | {p.get('errors', '')} |")
        out.append("")
    out.append("### Records\n")
    out.append("Fields in order (a Python record's attributes, a Kotlin data class's, a Swift struct's, a Node object's keys).\n")
    out.append("| record | fields |")
    out.append("|---|---|")
    for name, spec in surface["records"].items():
        fields = spec["fields"] if isinstance(spec, dict) else spec
        only = f" (in {', '.join(spec['only'])})" if isinstance(spec, dict) and "only" in spec else ""
        out.append(f"| `{name}`{only} | {', '.join(fields)} |")
    out.append("")
    out.append("### Enums\n")
    out.append("| enum | values |")
    out.append("|---|---|")
    for name, values in surface["enums"].items():
        out.append(f"| `{name}` | {', '.join(values)} |")
    out.append("")
    out.append("### Functions\n")
    out.append("| name per language | parameters, in order | returns | errors |")
    out.append("|---|---|---|---|")
    for f in surface["functions"]:
        out.append(
            f"| {names(f, languages)} | {', '.join(f['params'])} | `{f['returns']}` | {f.get('errors', '')} |"
        )
    out.append("")
    out.append("### Errors\n")
    out.append("Every error carries these fields in every language (`?`: only where it has one); `http_status` is the status a server answers with.\n")
    out.append("| error | fields | code: http_status |")
    out.append("|---|---|---|")
    for name, spec in surface["errors"].items():
        codes = ", ".join(
            f"`{code}`" + ("" if status is None else f": {status}")
            for code, status in spec["codes"].items()
        )
        renamed = "".join(f" (`{n}` in {lang})" for lang, n in spec.get("names", {}).items())
        out.append(f"| `{name}`{renamed} | {', '.join(spec['fields'])} | {codes} |")
    out.append("")
    out.append("### Deliberate differences\n")
    out.append("| languages | member | reason |")
    out.append("|---|---|---|")
    for d in surface["differences"]:
        out.append(f"| {', '.join(d['languages'])} | {d['member']} | {d['reason']} |")
    return "\n".join(out) + "\n"


def main() -> int:
    surface = json.loads(SURFACE.read_text())
    text = DOC.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{BEGIN}\n{render(surface)}{END}{tail}"
    if "--check" in sys.argv:
        if new != text:
            print("docs/api.md differs from tests/api/surface.json; run python3 tests/api/render.py")
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
