"""A job's record schema: a Table Schema descriptor, checked and put in one canonical form.

The marketplace takes a strict subset of Table Schema (https://specs.frictionlessdata.io/
table-schema/): six types, the formats and constraints a data-entry check can enforce in
bounded time, and a primary key of one field. `normalise_descriptor` is the only way in;
what it returns is what jobs store and show, and what deliveries are checked against.

Formats:
- string: `default`, `email`, `uri`;
- date: `default` (ISO `YYYY-MM-DD`) or a strptime pattern naming day, month and year
  (`%d/%m/%Y`);
- datetime: `default` (ISO 8601 `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or an
  offset; none means UTC) or a strptime pattern naming day, month, year, hour and minute
  (`%d/%m/%Y %H:%M`), read as UTC (a pattern takes no offset);
- integer, number, boolean: `default` only.
`format: "default"` is left out of the canonical form, as is an empty `constraints`.
Constraint values (`enum` items, `minimum`, `maximum`) are JSON values of the field's
type; for `date` and `datetime` they are strings written in the field's format.
"""

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import re2

if TYPE_CHECKING:
    from frictionless import Field

TYPES = ("string", "integer", "number", "boolean", "date", "datetime")
STRING_FORMATS = ("default", "email", "uri")
MAX_FIELDS = 100
MAX_NAME = 100
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_DATE_PATTERN = 100
MAX_REGEX = 1000
MAX_ENUM = 1000
# All enums together: each value is parsed as the field reads it, and a date pattern's
# parse is slow enough that a whole body of them would hold a worker for seconds.
MAX_ENUM_VALUES = 10_000
MAX_LENGTH_LIMIT = 1_000_000

FIELD_KEYS = ("name", "type", "title", "description", "format", "constraints")
CONSTRAINT_KEYS = (
    "required",
    "unique",
    "pattern",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
)
# The constraints each type takes: minimum and maximum need an order, lengths a string.
CONSTRAINTS_OF = {
    "string": {"required", "unique", "pattern", "enum", "minLength", "maxLength"},
    "integer": {"required", "unique", "enum", "minimum", "maximum"},
    "number": {"required", "unique", "enum", "minimum", "maximum"},
    "boolean": {"required", "unique", "enum"},
    "date": {"required", "unique", "enum", "minimum", "maximum"},
    "datetime": {"required", "unique", "enum", "minimum", "maximum"},
}

# Distinct day, month, year, hour and minute, so a pattern that loses or confuses one of
# them does not read back what it wrote.
_SAMPLE = datetime(2031, 12, 28, 19, 47, 53)


def _regex_options() -> re2.Options:
    options = re2.Options()
    # A refused pattern is the client's input, answered with a 422: not a server log line.
    options.log_errors = False
    return options


_REGEX_OPTIONS = _regex_options()


class DescriptorError(Exception):
    """A descriptor the marketplace does not take: messages by place (`fields.2.type`).

    The place "" is the descriptor itself.
    """

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def compile_pattern(pattern: str) -> re2._Regexp:
    """A `pattern` constraint as RE2 compiles it (raises re2.error when RE2 refuses it)."""
    return re2.compile(pattern, _REGEX_OPTIONS)


def primary_key(descriptor: dict | None) -> str | None:
    """The name of the descriptor's key field, if it has one."""
    return None if descriptor is None else descriptor.get("primaryKey")


def field_names(descriptor: dict) -> list[str]:
    """The descriptor's field names, in its order."""
    return [field["name"] for field in descriptor["fields"]]


@cache
def _frictionless():
    # Imported on first use: it takes a second and pulls in much that no other request
    # (nor the CLI, nor the worker) needs.
    import frictionless

    return frictionless


def frictionless_field(field: dict) -> "Field":
    """The field as frictionless reads cells of it (type and format; no constraints)."""
    described = {key: field[key] for key in ("name", "type", "format") if key in field}
    return _frictionless().Field.from_descriptor(described)


def normalise_descriptor(descriptor: Any) -> dict:
    """The descriptor in canonical form; raises DescriptorError naming every problem."""
    errors: dict[str, list[str]] = {}

    def refuse(place: str, message: str) -> None:
        errors.setdefault(place, []).append(message)

    if not isinstance(descriptor, dict):
        raise DescriptorError({"": ["Must be a Table Schema descriptor (a JSON object)."]})
    for key in descriptor:
        if key not in ("fields", "primaryKey"):
            refuse(str(key), "Unknown property: a record schema has fields and primaryKey.")
    raw_fields = descriptor.get("fields")
    fields: list[dict] = []
    if raw_fields is None:
        refuse("fields", "Missing: a record schema needs 1 to 100 fields.")
    elif not isinstance(raw_fields, list):
        refuse("fields", "Must be a list of field descriptors.")
    elif not 1 <= len(raw_fields) <= MAX_FIELDS:
        refuse("fields", f"A record schema has 1 to {MAX_FIELDS} fields.")
    elif _enum_values(raw_fields) > MAX_ENUM_VALUES:
        refuse("fields", f"At most {MAX_ENUM_VALUES:,} enum values in all fields together.")
    else:
        seen: dict[str, int] = {}
        for n, raw in enumerate(raw_fields):
            field = _field(raw, f"fields.{n}", refuse)
            if field is not None:
                fields.append(field)
            name = raw.get("name") if isinstance(raw, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                refuse(f"fields.{n}.name", f"Duplicate field name (as field {seen[name]}).")
            else:
                seen[name] = n
    normalised: dict[str, Any] = {"fields": fields}
    if "primaryKey" in descriptor:
        key = _primary_key(descriptor["primaryKey"], refuse)
        fields_fine = not any(place.startswith("fields") for place in errors)
        if key is not None and fields_fine and key not in field_names(normalised):
            refuse("primaryKey", f"Names no field of the schema: {key!r}.")
        if key is not None:
            normalised["primaryKey"] = key
    if errors:
        raise DescriptorError(errors)
    _check_as_table_schema(normalised)
    return normalised


def _enum_values(raw_fields: list) -> int:
    counted = 0
    for raw in raw_fields:
        constraints = raw.get("constraints") if isinstance(raw, dict) else None
        enum = constraints.get("enum") if isinstance(constraints, dict) else None
        counted += len(enum) if isinstance(enum, list) else 0
    return counted


def _check_as_table_schema(descriptor: dict) -> None:
    """The canonical form is a Table Schema descriptor too, as frictionless reads the standard."""
    report = _frictionless().Schema.validate_descriptor(descriptor)
    if not report.valid:
        raise DescriptorError({"": [f"Not a Table Schema: {e.note}" for e in report.errors]})


def _primary_key(value: Any, refuse) -> str | None:
    if isinstance(value, list):
        if len(value) != 1:
            refuse("primaryKey", "One field only: a field name, or a list of exactly one.")
            return None
        value = value[0]
    if not isinstance(value, str):
        refuse("primaryKey", "Must be a field name.")
        return None
    return value


def _text(value: Any, place: str, refuse, *, limit: int, what: str) -> str | None:
    if not isinstance(value, str):
        refuse(place, f"Must be a string ({what}).")
        return None
    if not 1 <= len(value) <= limit:
        refuse(place, f"Must be 1 to {limit} characters.")
        return None
    return value


def _field(raw: Any, place: str, refuse) -> dict | None:
    """One field in canonical form, or None when it is refused."""
    if not isinstance(raw, dict):
        refuse(place, "Must be a field descriptor (a JSON object).")
        return None
    problems = False

    def field_refuse(where: str, message: str) -> None:
        nonlocal problems
        problems = True
        refuse(where, message)

    for key in raw:
        if key not in FIELD_KEYS:
            field_refuse(
                f"{place}.{key}",
                "Unknown property: a field has name, type, title, description, format "
                "and constraints.",
            )
    name = raw.get("name")
    if name is None:
        field_refuse(f"{place}.name", "Missing: every field has a name.")
    elif _text(name, f"{place}.name", field_refuse, limit=MAX_NAME, what="the column name") and (
        name != name.strip() or not name.isprintable()
    ):
        field_refuse(
            f"{place}.name",
            "No leading or trailing spaces, and no control characters: deliveries "
            "name their columns by it.",
        )
    kind = raw.get("type")
    if kind is None:
        field_refuse(f"{place}.type", f"Missing: one of {', '.join(TYPES)}.")
        kind = None
    elif kind not in TYPES:
        field_refuse(f"{place}.type", f"Must be one of {', '.join(TYPES)}.")
        kind = None
    field: dict[str, Any] = {"name": name, "type": kind}
    for key, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION)):
        if key in raw:
            field[key] = _text(raw[key], f"{place}.{key}", field_refuse, limit=limit, what=key)
    if kind is None:
        return None
    if "format" in raw:
        fmt = _format(kind, raw["format"], f"{place}.format", field_refuse)
        if fmt is not None and fmt != "default":
            field["format"] = fmt
    if problems:
        return None
    if "constraints" in raw:
        constraints = _constraints(field, raw["constraints"], f"{place}.constraints", refuse)
        if constraints is None:
            return None
        if constraints:
            field["constraints"] = constraints
    return field


def _format(kind: str, fmt: Any, place: str, refuse) -> str | None:
    if not isinstance(fmt, str):
        refuse(place, "Must be a string.")
        return None
    if kind == "string":
        if fmt not in STRING_FORMATS:
            refuse(place, f"A string field's format is one of {', '.join(STRING_FORMATS)}.")
            return None
        return fmt
    if kind in ("date", "datetime"):
        if fmt == "default":
            return fmt
        problem = _date_pattern_problem(kind, fmt)
        if problem:
            refuse(place, problem)
            return None
        return fmt
    if fmt != "default":
        refuse(place, f"An {kind} field's format is default (or left out).")
        return None
    return fmt


def _date_pattern_problem(kind: str, pattern: str) -> str | None:
    """Why a strptime pattern cannot hold the field's values, or None if it can."""
    needs = "day, month and year" if kind == "date" else "day, month, year, hour and minute"
    explained = (
        f'A {kind} field\'s format is "default" or a strptime pattern naming {needs} '
        f"(such as {'%d/%m/%Y' if kind == 'date' else '%d/%m/%Y %H:%M'}), at most "
        f"{MAX_DATE_PATTERN} characters, without a UTC offset."
    )
    if len(pattern) > MAX_DATE_PATTERN or "%" not in pattern:
        return explained
    try:
        read = datetime.strptime(_SAMPLE.strftime(pattern), pattern)
    except (ValueError, re.error):  # strptime compiles a regex: a directive twice breaks it
        return explained
    if kind == "date":
        return None if read.date() == _SAMPLE.date() else explained
    same_minute = read.replace(second=0, microsecond=0) == _SAMPLE.replace(second=0)
    return None if same_minute and read.tzinfo is None else explained


def _constraints(field: dict, raw: Any, place: str, refuse) -> dict | None:
    """A field's constraints in canonical order, or None when one is refused."""
    if not isinstance(raw, dict):
        refuse(place, "Must be a JSON object of constraints.")
        return None
    kind = field["type"]
    allowed = CONSTRAINTS_OF[kind]
    out: dict[str, Any] = {}
    read: dict[str, Any] = {}
    problems = False

    def constraint_refuse(where: str, message: str) -> None:
        nonlocal problems
        problems = True
        refuse(where, message)

    for key in raw:
        if key not in CONSTRAINT_KEYS:
            constraint_refuse(
                f"{place}.{key}", f"Unknown constraint: one of {', '.join(CONSTRAINT_KEYS)}."
            )
        elif key not in allowed:
            constraint_refuse(
                f"{place}.{key}",
                f"Not a constraint of {kind} fields (those are: "
                f"{', '.join(k for k in CONSTRAINT_KEYS if k in allowed)}).",
            )
    reader = None
    for key in CONSTRAINT_KEYS:
        if key not in raw or key not in allowed:
            continue
        value = raw[key]
        where = f"{place}.{key}"
        if key in ("required", "unique"):
            if not isinstance(value, bool):
                constraint_refuse(where, "Must be true or false.")
                continue
        elif key == "pattern":
            problem = _regex_problem(value)
            if problem:
                constraint_refuse(where, problem)
                continue
        elif key in ("minLength", "maxLength"):
            if not _is_int(value) or not 0 <= value <= MAX_LENGTH_LIMIT:
                constraint_refuse(where, f"Must be an integer from 0 to {MAX_LENGTH_LIMIT}.")
                continue
            read[key] = value
        elif key == "enum":
            if not isinstance(value, list) or not 1 <= len(value) <= MAX_ENUM:
                constraint_refuse(where, f"Must be a list of 1 to {MAX_ENUM} values.")
                continue
            reader = reader or frictionless_field(field).create_cell_reader()
            listed: set = set()
            for n, item in enumerate(value):
                cell = _value(field, reader, item, f"{where}.{n}", constraint_refuse)
                if cell is not None and cell in listed:
                    constraint_refuse(f"{where}.{n}", "Listed twice.")
                listed.add(cell)
        else:  # minimum, maximum
            reader = reader or frictionless_field(field).create_cell_reader()
            cell = _value(field, reader, value, where, constraint_refuse)
            if cell is None:
                continue
            read[key] = cell
        out[key] = value
    for low, high in (("minimum", "maximum"), ("minLength", "maxLength")):
        if low in read and high in read and _utc(read[low]) > _utc(read[high]):
            constraint_refuse(f"{place}.{high}", f"Must not be less than {low}.")
    return None if problems else out


def _regex_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_REGEX:
        return f"Must be a regular expression of 1 to {MAX_REGEX} characters."
    try:
        compile_pattern(value)
    except re2.error as refused:
        reason = refused.args[0] if refused.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return (
            "Not an RE2 regular expression (matched in linear time: no backreferences "
            f"or lookaround): {reason}."
        )
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _value(field: dict, reader: Callable, value: Any, place: str, refuse) -> Any:
    """A constraint value as the field reads it, or None (refused) when it is not one."""
    kind = field["type"]
    if kind == "integer":
        ok = _is_int(value)
    elif kind == "number":
        ok = (_is_int(value) or isinstance(value, float)) and math.isfinite(value)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        written = {
            "integer": "an integer",
            "number": "a number",
            "boolean": "true or false",
            "string": "a string",
        }.get(kind, f"a string in the field's format ({field.get('format', 'default')})")
        refuse(place, f"Must be {written}, as a value of this {kind} field.")
        return None
    cell, notes = reader(value)
    if notes or cell is None:
        refuse(
            place, f"Not a value of this {kind} field (format {field.get('format', 'default')})."
        )
        return None
    return cell


def _utc(value: Any) -> Any:
    """Datetimes without an offset are UTC, so that both kinds compare."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
