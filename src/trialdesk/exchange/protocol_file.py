"""The protocol file: the executable protocol as a commented YAML (or JSON) document a person can correct.

:func:`export_yaml` writes every field of a :class:`~trialdesk.protocol.model.Protocol` in model order, with a header
saying how to load the file back and a comment above every sourced value summarising its provenance (registry field,
parsed text, default rule, or MISSING with what was tried). :func:`load_yaml` reads a corrected file back and
validates it field by field; any problem is one :class:`ProtocolFileError` line naming the file, the line, the field
and what was wrong. :func:`export_json` / :func:`load_json` carry the same content without comments. Output is
deterministic, so ``export_yaml(load_yaml(export_yaml(p), source=...)) == export_yaml(p)``. The format is documented
in ``docs/protocol-format.md``.

Example:
    >>> from trialdesk.protocol.model import Protocol, missing, registry
    >>> p = Protocol(nct_id="NCT01234567", title="T", status=registry("RECRUITING", "statusModule.overallStatus"),
    ...              enrollment=missing("designModule.enrollmentInfo", rule="no enrollment count"))
    >>> text = export_yaml(p)
    >>> print(text[text.index("status:"):text.index("# arms:")].strip())
    status:
      value: RECRUITING
      provenance:
        source: registry
        path: statusModule.overallStatus
    phases: null
    # MISSING — no enrollment count (designModule.enrollmentInfo): please fill in
    enrollment:
      value: null
      provenance:
        source: missing
        path: designModule.enrollmentInfo
        rule: no enrollment count
    >>> load_yaml(text, source="p.yaml") == p
    True
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import types
import typing
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

from trialdesk.errors import InvalidInputError
from trialdesk.protocol.model import Protocol, Provenance, Sourced

__all__ = ["ProtocolFileError", "describe_provenance", "export_json", "export_yaml", "load_json", "load_yaml"]

Loc = tuple[int | str, ...]

# Layout of the YAML document: keys of a nested mapping two columns in, sequence dashes two columns in.
_MAPPING_INDENT = 2
_SEQUENCE_INDENT = 4
_SEQUENCE_OFFSET = 2
_WIDTH = 100
_FOLD_ABOVE = 80  # single-line texts longer than this are written as folded block scalars
_FLOW_LIST_MAX = 60  # lists of short scalars up to this many characters stay on one line: [1, 1]
_COMMENT_TEXT_MAX = 100  # quoted registry text in a provenance comment is cut after this many characters
_MAX_NODES = 100_000  # a protocol has a few thousand values; more means alias expansion gone wild

_HEADER = """\
trialdesk protocol file for {nct_id} (format version {version}).

The executable protocol compiled from the registry record. Correct it here, then load it with:

    trialdesk protocol load FILE

Each derived value is a `value` with a `provenance` saying where it came from: a registry field
(registry), a span of registry text (parsed), a documented default rule (default), or nothing found
(missing). To fill in a MISSING value or correct another one: set `value`, set `provenance.source`
to default and `provenance.rule` to "entered by <name> on <YYYY-MM-DD>: <reason>"; keep `path` and
`text` as they are. These comments are regenerated on export: edits to them are not kept.
Format reference: docs/protocol-format.md"""

_SECTIONS = {
    "arms": "arms: the study arms as registered",
    "allocation": "allocation: how participants get an arm",
    "masking": "masking: who is blinded (an empty list is open label)",
    "regimens": "regimens: dose, route and timing of each intervention",
    "escalation": "escalation: the 3+3 dose-escalation rules",
    "schedule": "schedule: the visits, each with its day, anchor, window and forms",
    "eligibility": "eligibility: age and sex limits and each criterion of the free text",
    "outcomes": "outcomes: what is measured, when, and the analysis it needs",
}


class ProtocolFileError(InvalidInputError):
    """A protocol file that cannot be loaded; ``str()`` is one line: file, line, field, problem.

    Example:
        >>> str(ProtocolFileError("unknown field", source="p.yaml", line=12, path="regimens[0].dose.amout"))
        'p.yaml: line 12: regimens[0].dose.amout: unknown field'
    """

    def __init__(self, problem: str, *, source: str, line: int | None = None, path: str | None = None) -> None:
        self.problem = " ".join(problem.split())
        self.source = source
        self.line = line
        self.path = path
        parts = [source] if source else []
        if line is not None:
            parts.append(f"line {line}")
        if path:
            parts.append(path)
        super().__init__(": ".join([*parts, self.problem]))


# --------------------------------------------------------------------------------------------------------------------
# Export


def export_yaml(protocol: Protocol) -> str:
    """The protocol as a commented YAML document, every field in model order; same protocol, same bytes.

    Example:
        >>> from trialdesk.protocol.model import Protocol, parsed
        >>> p = Protocol(nct_id="NCT01234567", title="T", status=parsed("RECRUITING", "statusModule", "Recruiting"))
        >>> text = export_yaml(p)
        >>> text.startswith("# trialdesk protocol file for NCT01234567")
        True
        >>> '# parsed from statusModule: "Recruiting"' in text
        True
    """
    root = _commented(protocol, 0)
    assert isinstance(root, CommentedMap)  # noqa: S101 - a model always becomes a mapping
    for name, comment in _SECTIONS.items():
        root.yaml_set_comment_before_after_key(name, before="\n" + comment, indent=0)
    header = _HEADER.format(nct_id=protocol.nct_id, version=protocol.format_version)
    stream = io.StringIO()
    stream.write("".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + "\n")
    _dumper().dump(root, stream)
    return stream.getvalue()


def export_json(protocol: Protocol) -> str:
    """The protocol as indented JSON with the same content as :func:`export_yaml` (no comments), in model order.

    Example:
        >>> from trialdesk.protocol.model import Protocol, registry
        >>> p = Protocol(nct_id="NCT01234567", title="T", status=registry("RECRUITING", "statusModule"))
        >>> print("\\n".join(export_json(p).splitlines()[:4]))
        {
          "format_version": 1,
          "nct_id": "NCT01234567",
          "title": "T",
        >>> load_json(export_json(p), source="p.json") == p
        True
    """
    # orjson writes what json.dumps(indent=2, ensure_ascii=False) does, five times faster (floats in shortest form)
    return orjson.dumps(_plain(protocol), option=orjson.OPT_INDENT_2).decode() + "\n"


def _fields(model: BaseModel) -> Iterator[tuple[str, Any]]:
    """The fields to write, in model order; a provenance leaves out its empty path, text and rule."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None and isinstance(model, Provenance):
            continue
        yield name, value


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {name: _plain(item) for name, item in _fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _commented(value: Any, column: int) -> Any:
    """ruamel nodes for ``value``; ``column`` is where this mapping's keys (or this list's items' keys) start."""
    if isinstance(value, BaseModel):
        node = CommentedMap()
        for name, item in _fields(value):
            inner = column + (_SEQUENCE_INDENT if isinstance(item, tuple | list) else _MAPPING_INDENT)
            node[name] = _commented(item, inner)
            if isinstance(item, Sourced):
                node.yaml_set_comment_before_after_key(name, before=describe_provenance(item), indent=column)
        return node
    if isinstance(value, tuple | list):
        seq = CommentedSeq(_commented(item, column) for item in value)
        if value and all(_is_short_scalar(item) for item in value) and len(repr(value)) <= _FLOW_LIST_MAX:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return _styled(value)
    return value


def _is_short_scalar(value: Any) -> bool:
    return isinstance(value, int | float | bool) or (isinstance(value, str) and "\n" not in value)


def _styled(text: str) -> str:
    """Multi-line text as a literal block (``|``), long text as a folded block (``>``).

    Text with unprintable characters is double-quoted, so they are written as escapes; otherwise the emitter falls
    back to a quoted scalar where a block could not hold the text exactly.
    """
    if not text.replace("\n", "").isprintable():  # e.g. U+0085 or U+2028, which ruamel would write unescaped
        styled: str = DoubleQuotedScalarString(text)
    elif "\n" in text:
        styled = LiteralScalarString(text)
    elif len(text) > _FOLD_ABOVE and text.isprintable() and text == text.strip() and "  " not in text:
        styled = FoldedScalarString(text)
    else:
        styled = text
    return styled


def describe_provenance(value: Sourced[Any]) -> str:
    """The one-line comment written above a sourced value.

    Example:
        >>> from trialdesk.protocol.model import default, missing
        >>> describe_provenance(default((1, 1), "1:1 when the record states no ratio"))
        'default: 1:1 when the record states no ratio'
        >>> describe_provenance(missing("interventions[0].description", "MSC infusion", "no dose found"))
        'MISSING — no dose found in interventions[0].description: "MSC infusion": please fill in'
    """
    p = value.provenance
    quoted = f'"{_clip(p.text)}"' if p.text is not None else None
    if p.source == "registry":
        return f"registry: {_clip(p.path or '?')}"
    if p.source == "parsed":
        return f"parsed from {_clip(p.path or '?')}" + (f": {quoted}" if quoted else "")
    if p.source == "default":
        where = f" (record: {_clip(p.path)}" + (f": {quoted}" if quoted else "") + ")" if p.path else ""
        return f"default: {_clip(p.rule or 'no rule given')}{where}"
    reason = _clip(p.rule) if p.rule else "not found in the record"
    if p.path and quoted:
        reason += f" in {_clip(p.path)}: {quoted}"
    elif p.path:
        reason += f" ({_clip(p.path)})"
    elif quoted:
        reason += f" in {quoted}"
    return f"MISSING — {reason}: please fill in"


def _clip(text: str) -> str:
    """``text`` on one printable line, cut to a readable length."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= _COMMENT_TEXT_MAX else flat[: _COMMENT_TEXT_MAX - 1] + "…"


def _represent_none(representer: RoundTripRepresenter, _: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _dumper() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=_MAPPING_INDENT, sequence=_SEQUENCE_INDENT, offset=_SEQUENCE_OFFSET)
    yaml.width = _WIDTH
    yaml.allow_unicode = True
    yaml.representer.add_representer(type(None), _represent_none)
    return yaml


# --------------------------------------------------------------------------------------------------------------------
# Load


class _PlainDataError(Exception):
    """A problem found while turning parsed YAML/JSON into plain data, at ``loc``."""

    def __init__(self, loc: Loc, problem: str) -> None:
        super().__init__(problem)
        self.loc = loc
        self.problem = problem


def load_yaml(text: str, *, source: str) -> Protocol:
    """Read a protocol file written by :func:`export_yaml` (and perhaps corrected by a person).

    Raises :class:`ProtocolFileError` naming the line and field of the first problem.

    Example:
        >>> load_yaml("nct_id: NCT01234567\\ntitle: T\\nstatus: {value: X, provenance: {source: registry}}\\n"
        ...           "colour: red\\n", source="p.yaml")
        Traceback (most recent call last):
        ...
        trialdesk.exchange.protocol_file.ProtocolFileError: p.yaml: line 4: colour: unknown field (expected one of: \
format_version, nct_id, title, status, phases, enrollment, arms, allocation, masking, regimens, escalation, schedule, \
eligibility, outcomes)
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. a reused anchor: refuse rather than guess
            document = YAML(typ="rt").load(text)
    except Exception as error:  # ruamel raises many kinds on malformed input; every one is a bad file
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None and isinstance(getattr(mark, "line", None), int) else None
        problem = getattr(error, "problem", None) or str(error).strip().splitlines()[0:1] or [type(error).__name__]
        problem = problem if isinstance(problem, str) else problem[0]
        raise ProtocolFileError(f"not valid YAML: {problem}", source=source, line=line) from error
    return _validate(document, source, lambda loc: _line_of(document, loc))


def load_json(text: str, *, source: str) -> Protocol:
    """Read a protocol written by :func:`export_json`; errors name the field (and the line where it can be found).

    Example:
        >>> load_json('{"nct_id": "NCT1", "title": "T", "status": {"value": "X", "provenance": {"source": "default"}}}',
        ...           source="p.json")
        Traceback (most recent call last):
        ...
        trialdesk.exchange.protocol_file.ProtocolFileError: p.json: line 1: nct_id: String should match pattern \
'^NCT\\d{8}$', got 'NCT1'
    """
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise ProtocolFileError(f"not valid JSON: {error.msg}", source=source, line=error.lineno) from error
    except _PlainDataError as error:
        raise ProtocolFileError(f"not valid JSON: {error.problem}", source=source) from error
    except Exception as error:  # e.g. RecursionError on absurd nesting
        raise ProtocolFileError(f"not valid JSON: {type(error).__name__}", source=source) from error
    return _validate(document, source, lambda loc: _json_line_of(text, loc))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _PlainDataError((), f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _PlainDataError((), f"{name} is not a number a protocol can hold")


def _validate(document: Any, source: str, line_of: Callable[[Loc], int | None]) -> Protocol:
    def fail(loc: Loc, problem: str) -> ProtocolFileError:
        return ProtocolFileError(problem, source=source, line=line_of(loc), path=_path(loc) or "(document)")

    if not isinstance(document, dict):
        raise fail((), f"expected a mapping of protocol fields, got {_kind(document)}")
    try:
        data = _to_plain(document, (), [0], set())
    except _PlainDataError as error:
        raise fail(error.loc, error.problem) from error
    except RecursionError as error:
        raise fail((), "nested too deeply") from error
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as error:
        details = error.errors(include_url=False)
        first = min(details, key=lambda d: line_of(tuple(d["loc"])) or 0)
        others = len(details) - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        raise fail(tuple(first["loc"]), _describe_error(first) + more) from error
    for loc, problem in _provenance_problems(protocol, ()):
        raise fail(loc, problem)
    return protocol


def _to_plain(node: Any, loc: Loc, count: list[int], active: set[int]) -> Any:
    """Plain dicts, lists, str, int, float, bool and None from ruamel's (or json's) nodes; dates become text."""
    count[0] += 1
    if count[0] > _MAX_NODES:
        raise _PlainDataError(loc, f"more than {_MAX_NODES} values (are aliases expanding?)")
    if isinstance(node, dict | list):
        if id(node) in active:
            raise _PlainDataError(loc, "an alias refers to itself")
        active.add(id(node))
        try:
            if isinstance(node, dict):
                return {str(key): _to_plain(value, (*loc, str(key)), count, active) for key, value in node.items()}
            return [_to_plain(item, (*loc, index), count, active) for index, item in enumerate(node)]
        finally:
            active.discard(id(node))
    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        if not math.isfinite(node):
            raise _PlainDataError(loc, f"{node} is not a number a protocol can hold")
        return float(node)
    if isinstance(node, dt.date):  # an unquoted 2024-05-01: keep it as the text the person typed
        return node.isoformat()
    raise _PlainDataError(loc, f"unsupported YAML value ({type(node).__name__}); use text, numbers, lists and mappings")


def _provenance_problems(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """What the model's types cannot say: a value is empty exactly when it is missing; a default says why."""
    if isinstance(value, Sourced):
        source = value.provenance.source
        if value.value is None and source != "missing":
            yield (
                (*loc, "value"),
                f"value is empty but provenance.source is {source!r}: give a value or mark it missing",
            )
        if value.value is not None and source == "missing":
            yield (
                (*loc, "provenance", "source"),
                "a value is given but provenance.source is 'missing': set source to default and rule to "
                "'entered by <name> on <date>: <reason>'",
            )
    if isinstance(value, Provenance):
        if value.source == "default" and value.rule is None:
            yield (*loc, "rule"), "a default needs a rule saying why, e.g. 'entered by <name> on <date>: <reason>'"
        if value.source in ("registry", "parsed") and value.path is None:
            yield (*loc, "path"), f"a {value.source} value needs the registry field path it came from"
        return
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _provenance_problems(getattr(value, name), (*loc, name))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _provenance_problems(item, (*loc, index))


def _describe_error(error: ErrorDetails) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        expected = f" (expected one of: {', '.join(model.model_fields)})" if model else ""
        return f"unknown field{expected}"
    if kind == "missing":
        return "required field is missing"
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of fields, got {_kind(error['input'])}"
    value = error["input"]
    got = _kind(value) if isinstance(value, dict | list) else _clip(repr(value))
    return f"{error['msg']}, got {got}"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    return _clip(repr(value))


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model class whose fields live at ``loc`` in a protocol, if any."""
    current: Any = Protocol
    for segment in loc:
        current = _unwrap(current)
        if isinstance(segment, int):
            if typing.get_origin(current) is not tuple:
                return None
            current = typing.get_args(current)[0]
        elif isinstance(current, type) and issubclass(current, BaseModel) and segment in current.model_fields:
            current = current.model_fields[segment].annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        arms = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return arms[0] if len(arms) == 1 else annotation
    return annotation


def _path(loc: Loc) -> str:
    """``('regimens', 0, 'dose')`` → ``regimens[0].dose``."""
    path = ""
    for segment in loc:
        path += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if path else str(segment))
    return path


def _line_of(document: Any, loc: Loc) -> int | None:
    """The 1-based line of the deepest node of ``loc`` present in a ruamel document (its key's line)."""
    lc = getattr(document, "lc", None)
    line = lc.line + 1 if lc is not None and isinstance(lc.line, int) else None
    node = document
    try:
        for segment in loc:
            if isinstance(node, CommentedMap):
                key = next((k for k in node if str(k) == str(segment)), _ABSENT)
                if key is _ABSENT:
                    break
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(segment, int) and 0 <= segment < len(node):
                line = node.lc.item(segment)[0] + 1
                node = node[segment]
            else:
                break
    except (KeyError, TypeError, AttributeError, IndexError):  # a merged key or an odd node has no position
        pass
    return line


_ABSENT = object()


def _json_line_of(text: str, loc: Loc) -> int | None:
    """JSON is YAML: find the line with ruamel, best effort (None when the text is beyond it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = YAML(typ="rt").load(text)
    except Exception:  # line numbers are a courtesy here; the error is then reported without one
        return None
    return _line_of(document, loc)
