"""Dependencies between the domain packages of app/ point one way.

Each package may import `app.core` and the packages listed for it in ALLOWED, which
are all below it; anything else is a back-edge and fails here. The tables are the
exception: a `models` module holds one domain's tables, foreign keys cross domains
(a tally row names its campaign and unit), so any module may import any domain's
models, while a models module itself imports only core and other models. Nothing in
app/ imports `app.cli` or `app.main`, which sit on top.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# package -> the packages it may import besides itself and core (lowest first)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "questionnaires": set(),
    "web": {"questionnaires"},
    "counts": {"questionnaires"},
    "units": {"counts"},
    "access": {"web", "units"},
    "campaigns": {"questionnaires", "web", "counts", "units", "access"},
    "collection": {"questionnaires", "web", "counts", "units", "access", "campaigns"},
    "reporting": {"questionnaires", "web", "counts", "units", "access", "campaigns"},
    # The demo builds everything: accounts to sign in with, an edition to publish.
    "demo": {"questionnaires", "counts", "units", "access", "campaigns", "collection", "reporting"},
}
TOP = {"cli", "main", "models_registry"}  # import anything, imported by nothing in app/


def _package(module: str) -> str:
    return module.split(".")[1]


def _is_models(module: str) -> bool:
    return module.split(".")[-1] in ("models", "snapshot_models")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from app.x import y` may name a module y: check the finer path.
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return [(line, name) for line, name in found if name.startswith("app.")]


def _module_of(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(name: str) -> str:
    """The longest prefix of a dotted import that is a module of app/."""
    parts = name.split(".")
    while parts:
        base = APP.parent.joinpath(*parts)
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return name


def back_edges(root: Path = APP) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        here = _module_of(path)
        if here == "app":
            continue
        source = _package(here)
        for line, name in _imports(path):
            target = _resolve(name)
            if target == "app":
                continue
            dest = _package(target)
            where = f"{path.relative_to(APP.parent)}:{line} imports {target}"
            if dest in TOP:
                if source not in TOP:
                    problems.append(f"{where}: nothing in a domain imports {dest}")
                continue
            if source in TOP or dest in (source, "core"):
                continue
            if _is_models(here) and not _is_models(target):
                problems.append(f"{where}: a models module imports only core and models")
            elif not _is_models(target) and dest not in ALLOWED[source]:
                problems.append(f"{where}: {source} may not import {dest}")
    return problems


def test_every_package_is_listed() -> None:
    packages = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in APP.glob("*.py") if p.stem != "__init__"}
    assert packages | modules == set(ALLOWED) | TOP


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_allowed_edges_point_down(package: str) -> None:
    # A package may import only packages listed before it: no cycle can be allowed.
    order = list(ALLOWED)
    assert all(order.index(dep) < order.index(package) for dep in ALLOWED[package])


def test_imports_point_one_way() -> None:
    assert back_edges() == []
