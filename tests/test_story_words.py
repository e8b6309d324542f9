"""The engine does not know the story (issue 27): the story's names live in data/datapackage.json's x-story, and no
executable line of briefing/ names them. Words checked: x-story's subject, short name and backer (the deal's party), every metric key
it names, every party in data/relationships.csv (as whole words in a string constant that is not a docstring, or as
tokens of an identifier), and every role value (as a whole string constant: `role == "client"`). Comments and
docstrings may mention them. A second story (the small fixture with another x-story) shows the page follows the data."""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from briefing.data import identity
from briefing.data.dataset import load
from briefing.data.problems import DataError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SMALL = ROOT / "tests" / "fixtures" / "small_data"

PRODUCT = ("scale-briefing", "Scale briefing")  # the product's name (package, Jupyter kernel), not the story's subject
# identifiers whose word is another sense of a story word: a figure's scale (figures.csv scale: thousand, million)
# and HTML's <meta> tags
GENERIC_IDENTIFIERS = {"SCALE", "SCALES", "scale", "page_meta", "meta_content"}


def story_words(data_dir: Path = DATA) -> tuple[set[str], set[str]]:
    """(names, role values): the words the package's code must not type, read from the data."""
    s = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))[identity.KEY]
    names = {s["subject"], s["short_name"], s["backer"], *s["deal"].values(), *s["money_at_stake"]}
    with open(data_dir / "relationships.csv", encoding="utf-8", newline="") as f:
        names |= {row["party"] for row in csv.DictReader(f)}
    roles = {v for role in s["roles"].values() for v in role["values"]}
    return names, roles


def _tokens(text: str) -> list[str]:
    """Identifier or name as lower-case word tokens: scale_says -> [scale, says], OpenAI -> [openai], US government -> [us, government]."""
    return [t.lower() for t in re.split(r"[^A-Za-z0-9]+", re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", "_", text)) if t]


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                out.add(id(first.value))
    return out


def _identifier(node: ast.AST) -> str | None:
    for kind, attr in ((ast.Name, "id"), (ast.Attribute, "attr"), (ast.arg, "arg"), (ast.keyword, "arg"), (ast.alias, "asname"),
                       (ast.FunctionDef, "name"), (ast.AsyncFunctionDef, "name"), (ast.ClassDef, "name")):
        if isinstance(node, kind):
            return getattr(node, attr)
    return None


def story_lines(package_dir: Path, names: set[str], roles: set[str]) -> list[str]:
    """Every executable line of package_dir/**/*.py that names the story, as 'path:line: what'."""
    patterns = [(n, re.compile(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9])")) for n in sorted(names)]
    name_tokens = [(n, _tokens(n)) for n in sorted(names)]
    out = []
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        rel = path.relative_to(package_dir.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                text = node.value
                for product in PRODUCT:
                    text = text.replace(product, "")
                out += [f"{rel}:{node.lineno}: string names {n!r}: {node.value[:60]!r}" for n, p in patterns if p.search(text)]
                if node.value in roles:
                    out.append(f"{rel}:{node.lineno}: string is the role value {node.value!r}")
            name = _identifier(node)
            if name and name not in GENERIC_IDENTIFIERS:
                toks = _tokens(name)
                for n, want in name_tokens:
                    if any(toks[i:i + len(want)] == want for i in range(len(toks) - len(want) + 1)):
                        out.append(f"{rel}:{getattr(node, 'lineno', '?')}: identifier {name!r} names {n!r}")
    for path in sorted(package_dir.rglob("*.j2")):  # the blocks' and the site's markup: its text is the package's too
        rel = path.relative_to(package_dir.parent)
        text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"), flags=re.DOTALL)  # comments may say it
        for number, line in enumerate(text.splitlines(), 1):
            out += [f"{rel}:{number}: template text names {n!r}: {line.strip()[:60]!r}" for n, p in patterns if p.search(line)]
    return sorted(set(out))


def test_the_package_names_no_story_word():
    names, roles = story_words()
    assert {"Scale AI", "Meta", "OpenAI", "meta_investment_usd"} <= names and "client" in roles  # the words are read at all
    found = story_lines(ROOT / "briefing", names, roles)
    assert not found, "the package names the story; read it from x-story (Dataset.story) instead:\n" + "\n".join(found)


def test_the_checker_catches_a_planted_name(tmp_path: Path):
    pkg = tmp_path / "fake"
    pkg.mkdir()
    (pkg / "mod.py").write_text(
        '"""A module about Scale AI (a docstring may say so)."""\n'
        "# so may a comment: Meta, client\n"
        'x = "Scale AI"\n'
        "def scale_says(role):\n"
        '    """What Scale said."""\n'
        '    return role == "client"\n'
        'y = "a client of ours, the scale-briefing kernel"\n'
        "SCALE = 1\n", encoding="utf-8")
    (pkg / "block.html.j2").write_text('{# a template about Meta may say so in a comment #}\n<p>{{ x }}</p>\n<p>Moving away from Scale AI</p>\n',
                                       encoding="utf-8")
    names, roles = story_words()
    found = story_lines(pkg, names, roles)
    assert sorted({int(f.split(":")[1]) for f in found if "mod.py" in f}) == [3, 4, 6], found
    assert {int(f.split(":")[1]) for f in found if "block.html.j2" in f} == {3}, found


def _second_story(tmp_path: Path) -> Path:
    """The small fixture as another story: another subject, investor and deal metric keys, and 'customer' for 'client'."""
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    renames = {"meta_investment_usd": "globex_investment_usd", "meta_stake_pct": "globex_stake_pct"}
    for path in data.iterdir():
        text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = text.replace(old, new)
        if path.name == "relationships.csv":
            text = text.replace(",client,", ",customer,")
        path.write_text(text, encoding="utf-8")
    spath = data / "datapackage.json"
    package = json.loads(spath.read_text(encoding="utf-8"))
    for res in package["resources"]:
        for f in res["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum")
            if f["name"] == "role" and enum:
                f["constraints"]["enum"] = ["customer" if v == "client" else v for v in enum]
    story = package[identity.KEY]
    story.update(subject="Acme Labels", short_name="Acme", backer="Globex")
    story["roles"]["clients"] = {"values": ["customer"], "heading": "Customers"}
    story["page"].update(author="Acme desk", keywords=["Globex", "Acme Labels"], about=["Acme Labels"])
    spath.write_text(json.dumps(package, indent=2), encoding="utf-8")
    return data


def test_a_second_story_needs_no_code_change(tmp_path: Path):
    from briefing.drawing.charts import clients_chart, valuation_chart
    from briefing.drawing.page import page_meta
    from briefing.story.lead import dek, headline

    d = load(_second_story(tmp_path))
    assert d.story.subject == "Acme Labels"
    head = headline(d)
    assert head.startswith("Globex paid ") and " of Acme Labels" in head, head
    clients = clients_chart(d)
    assert "moving away from Acme Labels" in clients.title and "Google" in clients.alt, clients.title
    assert valuation_chart(d).title.startswith("Globex's deal"), valuation_chart(d).title
    meta = page_meta(d, head, "unknown")
    assert meta["author"] == "Acme desk" and meta["keywords"] == "Globex, Acme Labels" and "Globex's investment in Acme Labels" in meta["description"]
    texts = [head, dek(d), clients.title, clients.subtitle, valuation_chart(d).title, meta["description"]]
    assert not [t for t in texts if "Scale AI" in t or "Meta" in t], texts


def _with_story(tmp_path: Path, change) -> Path:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    spath = data / "datapackage.json"
    package = json.loads(spath.read_text(encoding="utf-8"))
    change(package[identity.KEY])
    spath.write_text(json.dumps(package, indent=2), encoding="utf-8")
    return data


@pytest.mark.parametrize("change, column, message, on_line", [
    (lambda s: s["texts"].update(headline_deal="{backer} paid {price}"), "x-story.texts.headline_deal", "unknown field {price}", '"headline_deal"'),
    (lambda s: s["texts"].update(valuation_only="{subject.__class__}"), "x-story.texts.valuation_only", "unknown field {subject.__class__}", '"valuation_only"'),
    (lambda s: s["texts"].update(valuation_only="{subject[0]}"), "x-story.texts.valuation_only", "unknown field {subject[0]}", '"valuation_only"'),
    (lambda s: s["texts"].update(valuation_only="{subject!r}"), "x-story.texts.valuation_only", "no conversion or format spec", '"valuation_only"'),
    (lambda s: s["texts"].update(valuation_only="{subject"), "x-story.texts.valuation_only", "not a template", '"valuation_only"'),
    (lambda s: s.pop("backer"), "x-story.backer", "is missing", '"x-story"'),
    (lambda s: s["texts"].pop("headline_deal"), "x-story.texts.headline_deal", "is missing", '"texts"'),
    (lambda s: s["deal"].update(stake="no_such_metric"), "x-story.deal.stake", "unknown metric 'no_such_metric'", '"no_such_metric"'),
    (lambda s: s["roles"].update(clients=["client"]), "x-story.roles.clients", '"values"', '"clients"'),
])
def test_a_bad_story_is_one_clear_line(tmp_path: Path, change, column, message, on_line):
    data = _with_story(tmp_path, change)
    with pytest.raises(DataError) as err:
        load(data)
    lines = [str(p) for p in err.value.problems]
    assert len(lines) == 1 and f": {column}: " in lines[0] and message in lines[0], lines
    path, line = lines[0].split(":")[:2]
    assert path.endswith("datapackage.json")
    assert on_line in (data / "datapackage.json").read_text(encoding="utf-8").splitlines()[int(line) - 1], lines


def test_a_package_without_a_story_says_so(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    spath = data / "datapackage.json"
    package = json.loads(spath.read_text(encoding="utf-8"))
    del package[identity.KEY]
    spath.write_text(json.dumps(package, indent=2), encoding="utf-8")
    with pytest.raises(DataError, match=r"datapackage.json:1: x-story: is missing"):
        load(data)
