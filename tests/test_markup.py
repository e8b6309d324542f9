"""Block markup lives in auto-escaping templates (briefing/drawing/templates/blocks), read with ast and by rendering.

A drawing module that writes a tag in an f-string builds markup by hand, where escaping is a habit and not the default;
the few inline fragments that stay in Python are named below with the reason. Every Jinja environment the package makes
autoescapes, and the blocks' environment is strict about a missing value.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parents[1]
TAG = re.compile(r"<[a-zA-Z/!]")
MARKUP_IN_PYTHON = {  # (module, function): an inline fragment that stays in Python, and why
    ("citations", "cite"): "the citation marker inside a sentence; templates call it, so a template of its own would make the environment import itself",
    ("citations", "plain_ids"): "a source id inside a curated text, replaced where it stands by its linked number",
    ("say", "say"): "the paragraph around say()'s sentences, each already markup",
    ("markup", "_repr_html_"): "Jupyter's wrapper around every block",
    ("chartkit", "_svg"): "attributes patched into matplotlib's SVG, not a block",
}


def _functions_and_fstrings(tree: ast.AST):
    """(the name of the outermost function or method around it, f-string node) for every f-string in a module."""
    def walk(node: ast.AST, func: str):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and not func else func
            if isinstance(child, ast.JoinedStr):
                yield name, child
            yield from walk(child, name)
    yield from walk(tree, "")


def markup_in_fstrings(drawing_dir: Path) -> list[str]:
    """Every f-string in the drawing modules that writes a tag outside MARKUP_IN_PYTHON, as `path:line: message`."""
    problems = []
    for path in sorted(drawing_dir.glob("*.py")):
        shown = path.relative_to(drawing_dir.parents[1]).as_posix()
        for func, node in _functions_and_fstrings(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if TAG.search(text) and (path.stem, func) not in MARKUP_IN_PYTHON:
                problems.append(f"{shown}:{node.lineno}: markup built in an f-string in {func or 'the module'}(); "
                                "write it in templates/blocks/ (markup.render), where escaping is the default")
    return problems


def environments_without_autoescape(package_dir: Path) -> list[str]:
    """Every jinja2.Environment(...) the package makes without autoescape=True, as `path:line: message`."""
    problems = []
    for path in sorted(package_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "Environment":
                auto = next((k.value for k in node.keywords if k.arg == "autoescape"), None)
                if not (isinstance(auto, ast.Constant) and auto.value is True):
                    problems.append(f"{path.relative_to(package_dir.parent).as_posix()}:{node.lineno}: a template environment without autoescape=True")
    return problems


def test_block_markup_is_in_templates():
    assert markup_in_fstrings(ROOT / "briefing" / "drawing") == []


def test_every_template_environment_autoescapes():
    assert environments_without_autoescape(ROOT / "briefing") == []
    from briefing.drawing.markup import environment

    env = environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined


def test_the_checks_catch_what_they_name(tmp_path: Path):
    drawing = tmp_path / "briefing" / "drawing"
    drawing.mkdir(parents=True)
    (drawing / "block.py").write_text(
        "def block(x):\n    return f'<p>{x}</p>'\n\n\ndef cite(x):\n    return f'<sup>{x}</sup>'\n\n\ndef words(x):\n    return f'a {x} < b'\n")
    (drawing / "citations.py").write_text("def cite(x):\n    return f'<sup>{x}</sup>'\n")
    (drawing / "env.py").write_text("import jinja2\nE = jinja2.Environment(loader=None)\nF = jinja2.Environment(autoescape=True)\n")
    got = markup_in_fstrings(drawing)
    assert got[0].startswith("briefing/drawing/block.py:2: markup built in an f-string in block()"), got
    assert got[1].startswith("briefing/drawing/block.py:6: markup built in an f-string in cite()"), got  # allowed in citations.py only
    assert len(got) == 2, got  # 'a < b' is no tag; citations.cite is allowed
    assert environments_without_autoescape(tmp_path / "briefing") == ["briefing/drawing/env.py:2: a template environment without autoescape=True"]


def test_a_template_escapes_data_as_the_page_always_has():
    """Data text is escaped with the stdlib's entities (the page stays byte for byte what it was); markup passes as it is."""
    from markupsafe import Markup

    from briefing.drawing.markup import HTML, render

    out = str(render("masthead", headline="<script>x</script> & 'so'", dek=Markup("<em>dek</em>")))
    assert out == ('<header class="masthead"><p class="kicker">Briefing</p><h1>&lt;script&gt;x&lt;/script&gt; &amp; &#x27;so&#x27;</h1>'
                   '<p class="dek"><em>dek</em></p></header>')
    assert str(render("heading", anchor='a"b', text=HTML("<i>t</i>"))).startswith('<h2 id="a&quot;b"><i>t</i>')
    with pytest.raises(jinja2.UndefinedError):
        render("masthead", headline="no dek")


def test_every_block_template_is_rendered_by_the_package():
    """No template left behind: each in templates/blocks is rendered by a drawing module or included by another template."""
    blocks = ROOT / "briefing" / "drawing" / "templates" / "blocks"
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "briefing" / "drawing").glob("*.py"))
    used = set(re.findall(r'render\("([a-z_]+)"', code))
    used |= {m for p in blocks.glob("*.j2") for m in re.findall(r'include "([a-z_]+)\.html\.j2"', p.read_text(encoding="utf-8"))}
    names = {p.name.removesuffix(".html.j2") for p in blocks.glob("*.html.j2")}
    assert names and names - used == set()
    assert used - names == set(), "render() names a template that does not exist"
