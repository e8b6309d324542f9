"""The package's shape, read from its code with ast: stages as folders, imports only downward.

briefing/data (reading and checking the data) < briefing/story (deciding the story) < briefing/drawing
(drawing the page) < briefing/pipeline (running the build). A module may import from its own stage or a
lower one, never a higher one; no import cycles; no private name (`_x`) imported from another module;
no module over MAX_LINES; no catch-all module (utils, helpers, misc); each stage says what it owns in a
one-line docstring. Lazy imports inside functions count: they are imports all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("data", "story", "drawing", "pipeline")  # bottom to top
MAX_LINES = 450
CATCH_ALL = {"utils", "helpers", "misc", "util", "helper", "common"}
# the package's own top-level modules: its __init__ sits below everything (it holds only the version),
# nb (the notebooks' facade) reads the stages up to drawing, __main__ hands over to pipeline
TOP = {"__init__": -1, "nb": STAGES.index("drawing") + 0.5, "__main__": len(STAGES)}
LEAVES = {"nb", "__main__"}  # entry points: nothing inside the package imports them


def modules(package_dir: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the package (a package's __init__ is its own name)."""
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path], package: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import of the package by this module."""
    is_init = path.name == "__init__.py"
    here = name.split(".") if is_init else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == package]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != package:
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.append((sub, None, node.lineno) if sub in known else (target, a.name, node.lineno))
    return out


def rank(name: str) -> float:
    parts = name.split(".")
    if len(parts) == 1:
        return TOP["__init__"]
    if parts[1] in STAGES:
        return STAGES.index(parts[1])
    return TOP.get(parts[1], len(STAGES))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def layout_problems(package_dir: Path, package: str = "briefing") -> list[str]:
    """Every way the package breaks its shape, as `path:line: message`."""
    known = modules(package_dir, package)
    shown = lambda p: p.relative_to(package_dir.parent).as_posix()
    problems, edges = [], {}
    for name, path in known.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            problems.append(f"{shown(path)}:1: {lines} lines; split it (at most {MAX_LINES})")
        if path.stem in CATCH_ALL or CATCH_ALL & set(path.relative_to(package_dir).parts[:-1]):
            problems.append(f"{shown(path)}:1: a catch-all module; name it for what it holds")
        if path.name == "__init__.py" and path.parent != package_dir:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            if not doc or "\n" in doc.strip():
                problems.append(f"{shown(path)}:1: a stage's __init__ says what it owns in a one-line docstring")
        for target, imported, line in imports(name, path, known, package):
            if target not in known:
                problems.append(f"{shown(path)}:{line}: imports {target}, which is not a module of {package}")
                continue
            if target == name:
                continue
            edges.setdefault(name, set()).add(target)
            if rank(target) > rank(name):
                problems.append(f"{shown(path)}:{line}: imports upward, from {target} (stages, bottom to top: {', '.join(STAGES)})")
            if target.split(".")[-1] in LEAVES and len(target.split(".")) == 2:
                problems.append(f"{shown(path)}:{line}: imports {target}, an entry point nothing inside the package imports")
            if imported and imported.startswith("_") and not (imported.startswith("__") and imported.endswith("__")):
                problems.append(f"{shown(path)}:{line}: imports the private name {imported} from {target}; make it public in the lower module")
    problems += [f"{shown(known[c[0]])}:1: import cycle: {' -> '.join(c)}" for c in cycles(edges)]
    return problems


def test_the_package_keeps_its_shape():
    assert layout_problems(ROOT / "briefing") == []


def test_every_stage_is_a_folder_with_modules():
    known = modules(ROOT / "briefing", "briefing")
    for stage in STAGES:
        inside = [m for m in known if m.startswith(f"briefing.{stage}.")]
        assert inside, f"briefing/{stage}/ holds no module"
    stray = [m for m in known if m.count(".") == 1 and m.split(".")[1] not in (*STAGES, *TOP)]
    assert stray == [], f"top-level modules outside the stages: {stray}"


def test_the_graph_is_read_at_all():
    """The shape test passes for a reason: the graph it reads has the package's real imports in it."""
    known = modules(ROOT / "briefing", "briefing")
    edges = {(n, t) for n, p in known.items() for t, _, _ in imports(n, p, known, "briefing")}
    assert ("briefing.pipeline.output", "briefing.drawing.page") in edges  # a lazy import, inside a function
    assert ("briefing.drawing.say", "briefing.data.fmt") in edges  # from ..data import fmt
    assert ("briefing.__main__", "briefing.pipeline.cli") in edges
    assert len(edges) > 60


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_catches_each_break(tmp_path: Path):
    pkg = tmp_path / "briefing"
    _write(pkg, "__init__.py", '"""A fake package."""\n')
    _write(pkg, "data/__init__.py", '"""Reading the data."""\n')
    _write(pkg, "story/__init__.py", "")  # no docstring
    _write(pkg, "drawing/__init__.py", '"""Two\n\nlines."""\n')
    _write(pkg, "pipeline/__init__.py", '"""The pipeline."""\n')
    _write(pkg, "data/a.py", "from ..story import b\n")  # upward, and half of a cycle
    _write(pkg, "story/b.py", "from ..data.a import _hidden, __doc__\n")  # private (the dunder is fine)
    _write(pkg, "data/utils.py", "x = 1\n")
    _write(pkg, "drawing/big.py", "x = 1\n" * (MAX_LINES + 1))
    _write(pkg, "pipeline/c.py", "def f():\n    from ..nb import g\n")  # lazy, and into an entry point
    _write(pkg, "nb.py", "from .pipeline import c\n")  # the facade reaching above drawing
    _write(pkg, "drawing/d.py", "import briefing.data.nothing\n")
    got = layout_problems(pkg)
    expected = [
        "briefing/data/a.py:1: imports upward, from briefing.story.b",
        "briefing/story/b.py:1: imports the private name _hidden from briefing.data.a",
        "briefing/data/utils.py:1: a catch-all module",
        f"briefing/drawing/big.py:1: {MAX_LINES + 1} lines",
        "briefing/story/__init__.py:1: a stage's __init__ says what it owns",
        "briefing/drawing/__init__.py:1: a stage's __init__ says what it owns",
        "briefing/pipeline/c.py:2: imports briefing.nb, an entry point",
        "briefing/nb.py:1: imports upward, from briefing.pipeline.c",
        "briefing/drawing/d.py:1: imports briefing.data.nothing, which is not a module",
        "briefing/data/a.py:1: import cycle: briefing.data.a -> briefing.story.b",
    ]
    for e in expected:
        assert any(g.startswith(e) for g in got), f"missing {e!r} in {got}"
    assert not any("__doc__" in g for g in got)
    assert len(got) == len(expected) + 1, got  # + the cycle build.c -> nb -> build.c


def test_a_clean_fake_package_has_no_problems(tmp_path: Path):
    pkg = tmp_path / "briefing"
    _write(pkg, "__init__.py", '__version__ = "0"\n')
    for stage in STAGES:
        _write(pkg, f"{stage}/__init__.py", f'"""The {stage} stage."""\n')
    _write(pkg, "data/a.py", "from .. import __version__\n")
    _write(pkg, "story/b.py", "from ..data import a\nfrom ..data.a import __version__\n")
    _write(pkg, "drawing/c.py", "from ..story.b import a\nfrom . import e\n")
    _write(pkg, "drawing/e.py", "import briefing.data.a\n")
    _write(pkg, "pipeline/d.py", "def f():\n    from ..drawing import c\n")
    _write(pkg, "nb.py", "from .drawing.c import a\n")
    _write(pkg, "__main__.py", "from .pipeline.d import f\n")
    assert layout_problems(pkg) == []
