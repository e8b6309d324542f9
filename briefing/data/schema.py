"""The one schema (Frictionless Table Schema in data/datapackage.json): fields, types, rules."""

from __future__ import annotations

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
    max_length: int | None = None
    suggestions: tuple[str, ...] = ()  # an open vocabulary's usual values: a new one earns a note, never an error
    # a project-specific format, in the custom property "x-format" (Table Schema's own "format" allows
    # only default, email, uri, binary, uuid and wkt for strings): "period" is YYYY, YYYY-MM or
    # YYYY-MM-DD, a real date
    format: str | None = None


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
        fields = []
        for f in sch["fields"]:
            c = f.get("constraints", {})
            fields.append(
                Field(
                    name=f["name"],
                    type=f.get("type", "string"),
                    description=f.get("description", ""),
                    required=bool(c.get("required", False)),
                    unique=bool(c.get("unique", False)),
                    enum=tuple(c.get("enum", ())),
                    pattern=c.get("pattern"),
                    minimum=c.get("minimum"),
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
        pk = sch["primaryKey"]
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
