"""The one schema (Frictionless Table Schema in data/datapackage.json): fields, types, rules.

The validator enforces every constraint this module reads (CONSTRAINTS, each on the types it names) and nothing
else: a schema that uses another (exclusiveMinimum, a string "format" such as email, a field property that changes how
a cell is read, such as bareNumber) is refused at load with its line, so that no constraint is silently ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import jsonfile
from .paths import SCHEMA_NAME


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    suggestions: tuple[str, ...] = ()  # an open vocabulary's usual values: a new one earns a note, never an error
    # a project-specific format, in the custom property "x-format" (Table Schema's own "format" allows
    # only default, email, uri, binary, uuid and wkt for strings): "period" is YYYY, YYYY-MM or
    # YYYY-MM-DD, a real date
    format: str | None = None


TYPES = ("string", "number", "integer", "date")
_NUMBERS = ("number", "integer")
# Table Schema's field constraints that the validator enforces (briefing/data/validate.py), and the types each applies to
CONSTRAINTS = {"required": TYPES, "unique": TYPES, "enum": ("string",), "pattern": ("string",), "minLength": ("string",),
               "maxLength": ("string",), "minimum": _NUMBERS, "maximum": _NUMBERS}
# A field's other properties: words for people, the project's own (x-...) and "format" (default, or the older x-period)
FIELD_KEYS = ("name", "type", "format", "title", "description", "example", "constraints")
SCHEMA_KEYS = ("fields", "primaryKey", "foreignKeys")


def line_of(text: str, names: tuple[str, ...], key: str) -> int:
    """The line of '"key":' after the '"name": ...' of each of names in turn (a resource, then its field): where an editor
    shows the property; the line of the last name found when the key is not there."""
    pos = 0
    for n in names:
        m = re.compile(r'"name"\s*:\s*' + re.escape(json.dumps(n, ensure_ascii=False))).search(text, pos)
        if m is None:
            break
        pos = m.start()
    m = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, pos)
    return text.count("\n", 0, m.start() if m else pos) + 1


def unsupported(package: dict, text: str) -> list[tuple[int, str, str]]:
    """(line, where, message) for each property of the schema this validator would not enforce: refused, not ignored."""
    out = []
    for res in package.get("resources", ()):
        sch = res.get("schema") if isinstance(res, dict) else None
        if not isinstance(sch, dict) or not isinstance(sch.get("fields"), list):
            continue
        rname = str(res.get("name"))
        for key in sch:
            if key not in SCHEMA_KEYS and not key.startswith("x-"):
                out.append((line_of(text, (rname,), key), f"{rname}.schema", f'"{key}" is not supported by this validator (it reads {", ".join(SCHEMA_KEYS)})'))
        several = [k for k in ("primaryKey", "foreignKeys", "x-listForeignKeys") for v in _listed(sch.get(k)) if len(v) > 1]
        for key in several:  # load_schema reads one column per key
            out.append((line_of(text, (rname,), key), f"{rname}.schema.{key}", "a key of several columns is not supported by this validator (one column per key)"))
        for f in sch["fields"]:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                continue
            at, ftype = (rname, f["name"]), f.get("type", "string")
            for key in f:
                if key not in FIELD_KEYS and not key.startswith("x-"):
                    out.append((line_of(text, at, key), f"{rname}.{f['name']}", f'"{key}" is not supported by this validator (a field has {", ".join(FIELD_KEYS)})'))
            if f.get("format", "default") not in ("default", "x-period"):
                out.append((line_of(text, at, "format"), f"{rname}.{f['name']}.format",
                            f'"{f["format"]}" is not supported by this validator (the project\'s period is "x-format": "period")'))
            c = f.get("constraints")
            for key in c if isinstance(c, dict) else ():
                if key not in CONSTRAINTS:
                    out.append((line_of(text, at, key), f"{rname}.{f['name']}.constraints",
                                f'"{key}" is not supported by this validator (it enforces {", ".join(CONSTRAINTS)})'))
                elif ftype in TYPES and ftype not in CONSTRAINTS[key]:
                    out.append((line_of(text, at, key), f"{rname}.{f['name']}.constraints",
                                f'"{key}" is not supported on a {ftype} field by this validator (only on {" or ".join(CONSTRAINTS[key])})'))
                elif key in ("maximum", "minLength", "maxLength") and (isinstance(c[key], bool) or not isinstance(c[key], int if "Length" in key else (int, float))):
                    out.append((line_of(text, at, key), f"{rname}.{f['name']}.constraints", f'"{key}" must be a {"whole " * ("Length" in key)}number, not {json.dumps(c[key])[:40]}'))
    return out


def _listed(value) -> list[list]:
    """The column lists of a primaryKey or foreignKeys value: [["a"]] for "a", [["a", "b"]] for ["a", "b"]."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [fk.get("fields") if isinstance(fk.get("fields"), list) else [fk.get("fields")] for fk in value]
    return [value] if isinstance(value, list) else [[value]] if value else []


@dataclass(frozen=True)
class ForeignKey:
    field: str
    resource: str
    target: str
    separator: str | None = None  # list-valued field, e.g. "src-a;src-b"


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    description: str
    fields: tuple[Field, ...]
    primary_key: str
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _project_format(f: dict) -> str | None:
    """The field's project-specific format: "x-format", or the older spelling "format": "x-period"
    (not valid Table Schema, still read so that an older data directory, e.g. a BASE, validates)."""
    if "x-format" in f:
        return f["x-format"]
    return "period" if f.get("format") == "x-period" else None


def load_schema(path: Path) -> dict[str, Resource]:
    """Read datapackage.json into Resources keyed by name, in file order."""
    package = jsonfile.read(path)
    resources = {}
    for res in package["resources"]:
        sch = res["schema"]
        pk = sch["primaryKey"]
        keys = pk if isinstance(pk, list) else [pk]
        fields = []
        for f in sch["fields"]:
            c = f.get("constraints", {})
            fields.append(
                Field(
                    name=f["name"],
                    type=f.get("type", "string"),
                    description=f.get("description", ""),
                    required=bool(c.get("required", False)),
                    unique=bool(c.get("unique", False)) or keys == [f["name"]],  # a primary key's cells are unique, as Table Schema says
                    enum=tuple(c.get("enum", ())),
                    pattern=c.get("pattern"),
                    minimum=c.get("minimum"),
                    maximum=c.get("maximum"),
                    min_length=c.get("minLength"),
                    max_length=c.get("maxLength"),
                    suggestions=tuple(f.get("x-suggestions", ())),
                    format=_project_format(f),
                )
            )
        fks = tuple(
            ForeignKey(
                field=fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"],
                resource=fk["reference"]["resource"],
                target=fk["reference"]["fields"][0]
                if isinstance(fk["reference"]["fields"], list)
                else fk["reference"]["fields"],
                separator=fk.get("separator"),
            )
            # standard foreignKeys, plus list-valued ones ("a;b") that Table Schema cannot express
            for fk in [*sch.get("foreignKeys", ()), *sch.get("x-listForeignKeys", ())]
        )
        resources[res["name"]] = Resource(
            name=res["name"],
            path=res["path"],
            description=res.get("description", ""),
            fields=tuple(fields),
            primary_key=pk[0] if isinstance(pk, list) else pk,
            foreign_keys=fks,
        )
    return resources


def schema_path(data_dir: Path) -> Path:
    return Path(data_dir) / SCHEMA_NAME


def data_dictionary(resources: dict[str, Resource]) -> str:
    """The README's data dictionary as Markdown, generated from the schema."""
    out = []
    for res in resources.values():
        out.append(f"### `{res.path}`\n\n{res.description}\n")
        out.append("| column | type | required | allowed values / rule | description |")
        out.append("|---|---|---|---|---|")
        for f in res.fields:
            rules = []
            if f.enum:
                rules.append("one of " + ", ".join(f"`{v}`" for v in f.enum))
            if f.suggestions:
                rules.append("any short phrase; usually " + ", ".join(f"`{v}`" for v in f.suggestions))
            elif f.max_length and not f.enum:
                rules.append(f"at most {f.max_length} characters")
            if f.format == "period":
                rules.append("YYYY, YYYY-MM or YYYY-MM-DD")
            if f.unique:
                rules.append("unique")
            if f.minimum is not None:
                rules.append(f"≥ {f.minimum:g}")
            if f.maximum is not None:
                rules.append(f"≤ {f.maximum:g}")
            if f.min_length:
                rules.append(f"at least {f.min_length} characters")
            for fk in res.foreign_keys:
                if fk.field == f.name:
                    sep = f" (`{fk.separator}`-separated)" if fk.separator else ""
                    rules.append(f"each a `{fk.target}` of `{fk.resource}`{sep}")
            if f.type == "date":
                rules.append("YYYY-MM-DD")
            req = "yes" if f.required else ""
            out.append(f"| `{f.name}` | {f.type} | {req} | {'; '.join(rules)} | {f.description} |")
        out.append("")
    return "\n".join(out)
