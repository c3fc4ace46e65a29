"""The Swift package's public surface, read from its generated and
hand-written sources, against tests/api/surface.json (the twin of
docs/api.md). Run by swift/check.sh; there is no Swift compiler here, so
the declarations are read as text: a method missing from its class, or with
its argument labels in another order, fails.

usage: python3 swift/surface.py SOURCE.swift...
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SURFACE = json.loads((ROOT / "tests" / "api" / "surface.json").read_text())
LANG = "swift"

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def ours(spec) -> bool:
    return not isinstance(spec, dict) or LANG in spec.get("only", SURFACE["languages"])


def body(source: str, opener: str) -> str:
    """The text between the braces of the first declaration matching `opener`."""
    match = re.search(opener, source)
    if match is None:
        return ""
    start = source.index("{", match.end())
    depth, i = 1, start + 1
    while depth:
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        i += 1
    return source[start + 1 : i - 1]


def labels(params: str) -> list[str]:
    """The argument labels of a Swift parameter list."""
    out = []
    for param in filter(None, (p.strip() for p in split_top(params))):
        out.append(param.split(":")[0].split()[0])
    return out


def split_top(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for c in text:
        if c in "([<":
            depth += 1
        elif c in ")]>":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    return parts + [cur]


def functions(text: str, name: str, static: bool = False) -> list[list[str]]:
    """Argument labels of every `func name(...)` (or `init(...)`) in `text`."""
    if name == "init":
        pattern = r"(?:public|open)\s+(?:convenience\s+)?init\(([^)]*)\)"
    else:
        prefix = r"(?:public|open)\s+static\s+func\s+" if static else r"(?:public|open)\s+func\s+"
        pattern = prefix + re.escape(name) + r"\(([^)]*)\)"
    return [labels(m.group(1)) for m in re.finditer(pattern, text)]


def main(paths: list[str]) -> int:
    source = COMMENT.sub("", "\n".join(pathlib.Path(p).read_text() for p in paths))
    problems: list[str] = []
    checked = 0

    for type_name, spec in SURFACE["classes"].items():
        if not ours(spec):
            continue
        cls = body(source, rf"open class {type_name}\b")
        extensions = "".join(body(source[m.start():], rf"extension {type_name}\b") for m in re.finditer(rf"extension {type_name}\b", source))
        text = cls + extensions
        if not cls:
            problems.append(f"class {type_name} is missing")
            continue
        for kind in ("constructors", "methods"):
            for member in spec.get(kind, []):
                if not ours(member):
                    continue
                checked += 1
                name = member["name"]
                want = [camel(p) for p in member["params"]]
                if kind == "constructors" and name == "new":
                    found = functions(text, "init")
                else:
                    found = functions(text, camel(name), static=kind == "constructors")
                if want not in found:
                    problems.append(f"{type_name}.{camel(name)}({', '.join(want)}): found {found or 'nothing'}")
        for prop in spec.get("properties", []):
            if not ours(prop):
                continue
            checked += 1
            name = camel(prop["name"])
            # UniFFI exports methods: a property is a method without arguments.
            if [] not in functions(text, name) and not re.search(rf"public var {name}\b", text):
                problems.append(f"{type_name}.{name} is missing")

    for name, spec in SURFACE["records"].items():
        if not ours(spec):
            continue
        fields = spec["fields"] if isinstance(spec, dict) else spec
        checked += 1
        found = functions(body(source, rf"public struct {name}\b"), "init")
        if [camel(f) for f in fields] not in found:
            problems.append(f"record {name}({', '.join(map(camel, fields))}): found {found or 'nothing'}")

    for name, values in SURFACE["enums"].items():
        checked += 1
        cases = re.findall(r"^\s*case (\w+)\s*$", body(source, rf"public enum {name}\b"), re.M)
        if cases != [camel(v) for v in values]:
            problems.append(f"enum {name}: {cases}")

    for function in SURFACE["functions"]:
        if not ours(function):
            continue
        checked += 1
        want = [camel(p) for p in function["params"]]
        top = re.findall(rf"^public func {camel(function['name'])}\(([^)]*)\)", source, re.M)
        if want not in [labels(t) for t in top]:
            problems.append(f"func {camel(function['name'])}({', '.join(want)}): found {top or 'nothing'}")

    for name, spec in SURFACE["errors"].items():
        checked += 1
        if re.search(rf"^open class {name}\b[^{{]*\bError\b", source, re.M):
            # An error object: every field is a method without arguments.
            methods = body(source, rf"open class {name}\b")
            for field in spec["fields"]:
                if [] not in functions(methods, camel(field.rstrip("?"))):
                    problems.append(f"error {name} has no public {camel(field.rstrip('?'))}()")
            continue
        if not re.search(rf"^\s*enum {name}: Swift.Error", source, re.M):
            problems.append(f"error {name} is missing")
            continue
        # An enum error: every case carries the fields, and an extension reads them.
        opener = rf"extension {name}\b[^{{]*"
        readers = "".join(body(source[m.start():], opener) for m in re.finditer(opener, source))
        for field in spec["fields"]:
            field = camel(field.rstrip("?"))
            if not re.search(rf"public var {field}\b", readers):
                problems.append(f"error {name} has no public {field}")

    for problem in problems:
        print(f"swift surface: {problem}", file=sys.stderr)
    print(f"swift: surface {checked - len(problems)} of {checked} members match tests/api/surface.json")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
