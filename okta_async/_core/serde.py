"""JSON <-> model conversion: one decoding engine, with per-class tables built on first use.

Rules (DESIGN.md §4):

* Wire names come from field metadata (``metadata["wire"]``), Python names are snake_case.
* ``UNSET`` fields are omitted when encoding; an explicit ``None`` is sent as JSON ``null``.
* ``read_only`` fields are never sent in requests (``include_read_only=False``); a plain
  ``unstructure`` keeps them, so decode -> encode round-trips a response unchanged.
* JSON keys the model does not declare are kept in ``additional_properties`` and written back.
* Enums are open: a value the spec does not list stays a plain ``str``.
* ``date-time`` fields are timezone-aware ``datetime`` objects. A decoded one is written back
  exactly as it was sent (a plain datetime when the text is in Okta's format, else a
  ``WireDatetime`` that keeps the text); one the caller made is written in Okta's format
  (``2013-07-02T21:36:25.344Z``, UTC, milliseconds).
* Polymorphism: a class with ``__okta_discriminator__ = (wire property, {value: class name})``
  hands the data to the named subclass; an unknown value keeps the base class, with all data.
* Unions (OpenAPI 3 ``oneOf``/``anyOf``, annotated ``A | B``): an object goes to the member the
  field's discriminator rule (``metadata["union"]``) names, else to the best-fitting member
  (``_best_model``); scalars to the first non-model member that accepts them.
* Tolerance -- one odd record never fails a page: a value of the wrong JSON type for its field
  (a string where an object belongs, an unparsable date, ...) is not raised as an error; the field
  stays ``UNSET`` and the value is kept under its wire name in ``additional_properties``, so it is
  still written back unchanged. Only a record that is not a JSON object at all cannot become a
  model; ``decoder()`` then returns it as it is.

* Laziness: a HAL sub-object (a model-typed field whose wire name starts with ``_``, such as
  ``_links``: a dozen objects per record, rarely read) and a ``credentials`` object (three
  models per user, which a listing seldom reads) are kept as their JSON object and decoded on
  the field's first read, with the same result (decoding an object into a model never fails).

Plans are tables (wire name -> field name, check, converter) built per class on its first use and
cached; the general path is a single loop over the record's keys. ``structure`` also takes
containers and unions of models (``structure(data, list[User])``).

Speed: records of one listing share their keys, so a plain ``dict`` record whose exact key tuple
was seen before goes to a straight-line decoder compiled for that shape (``shapes.py``); anything
it does not expect sends the record to the general loop. Decoders per *class* (reading every
declared key) were measured and lost to the loop, because Okta's records are sparse (a
``UserProfile`` sends 8 of its 31 fields); a decoder per *shape* only touches the keys that are
there.
"""

from __future__ import annotations

import datetime
import enum
import functools
import inspect
import re
import sys
import typing
from collections.abc import Callable, Mapping
from types import MemberDescriptorType, NoneType, UnionType
from typing import Any, TypeVar, cast, overload

import attrs

from okta_async._core import shapes
from okta_async._core.model import ABSENT, Model
from okta_async._core.unset import UNSET, Unset

__all__ = [
    "decoder",
    "encode_query_value",
    "format_datetime",
    "parse_datetime",
    "request_body",
    "resolve_types",
    "structure",
    "unstructure",
]

T = TypeVar("T")
M = TypeVar("M", bound=Model)

_UTC = datetime.timezone.utc
_PRIMITIVES = frozenset({str, int, float, bool, NoneType})
_Converter = Callable[[Any], Any]


class _Mismatch(Exception):
    """A value whose JSON type does not fit its field (caught by the model hook)."""


# --------------------------------------------------------------------------- date-time


class WireDatetime(datetime.datetime):
    """A datetime decoded from JSON that remembers the text it was read from.

    Re-encoding writes that text back unchanged (``+05:30`` stays, ``2021-06-14`` stays a date),
    so a read-modify-write never rewrites timestamps the caller did not touch. Any new value (an
    assignment, ``replace()``, arithmetic) is built without the text and is formatted afresh.
    """

    wire: str | None = None

    def __repr__(self) -> str:
        return repr(datetime.datetime.combine(self.date(), self.timetz()))


# Okta's own format, which ``format_datetime`` writes back character for character (hour 24,
# which ``fromisoformat`` may read as the next day, is left to the general path).
_OKTA_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?!24)[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
_fromisoformat = datetime.datetime.fromisoformat
_READS_Z = sys.version_info >= (3, 11)  # fromisoformat reads a trailing "Z" as UTC


def parse_datetime(value: str) -> datetime.datetime:
    """Okta's ``2013-07-02T21:36:25.344Z`` (any ISO 8601 offset) -> an aware datetime.

    A timestamp without an offset is taken as UTC. A value in Okta's own format becomes a plain
    datetime (``format_datetime`` writes it back unchanged); any other remembers ``value``
    (``WireDatetime``), which ``format_datetime`` writes back as it was.
    """
    if _OKTA_FORMAT.fullmatch(value):
        return _fromisoformat(value if _READS_Z else value[:-1] + "+00:00")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    parsed = datetime.datetime.fromisoformat(text)
    tz = parsed.tzinfo if parsed.tzinfo is not None else _UTC
    result = WireDatetime.combine(parsed.date(), parsed.time(), tzinfo=tz)
    result.wire = value
    return result


def format_datetime(value: datetime.datetime) -> str:
    """An aware (or naive = UTC) datetime -> ``2013-07-02T21:36:25.344Z`` (UTC, milliseconds);
    a decoded one (``WireDatetime``) -> the text it was decoded from."""
    wire = getattr(value, "wire", None)
    if wire is not None:
        return str(wire)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    value = value.astimezone(_UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def encode_query_value(value: Any) -> str:
    """A query-string value: bool -> true/false, datetime -> Okta format, enum -> value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


# --------------------------------------------------------------------------- type hints


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _referenced_models(cls: type) -> dict[str, Any]:
    """The models of ``cls``'s own package named in its (string) annotations, imported now.

    Each generated module imports the models it mentions only under TYPE_CHECKING; the package's
    lazy ``__getattr__`` supplies them here, so resolving one model imports only its neighbours.
    """
    package = sys.modules.get(cls.__module__.rpartition(".")[0])
    known: Mapping[str, str] = getattr(package, "_MODULES", {})
    names: set[str] = set()
    for klass in cls.__mro__:
        for annotation in inspect.get_annotations(klass).values():
            if isinstance(annotation, str):
                names.update(_IDENTIFIER.findall(annotation))
    return {name: getattr(package, name) for name in sorted(names) if name in known}


def resolve_types(cls: type[T]) -> type[T]:
    """Resolve the string annotations of an attrs class (forward references across modules)."""
    attrs.resolve_types(cast(Any, cls), localns=_referenced_models(cls))
    return cls


# --------------------------------------------------------------------------- per-field converters


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


_FieldPlan = tuple[type | tuple[type, ...] | None, _Converter | None]
_UnionRule = tuple[str | None, Mapping[str, str], str | None]


def _field_plan(tp: Any, rule: _UnionRule | None = None) -> _FieldPlan:
    """(isinstance check, converter) for a resolved field annotation; (None, None) = as is.

    A check is used for plain JSON scalars (fast path); a converter raises ``_Mismatch`` (or any
    error) when the value does not fit. ``rule`` is the field's union rule (discriminator).
    """
    origin = typing.get_origin(tp)
    if origin is UnionType or origin is typing.Union:
        return _union_plan([m for m in typing.get_args(tp) if m not in (NoneType, Unset)], rule)
    if tp is str or tp is bool or tp is bytes:
        return tp, None
    if tp is int:
        return int, None
    if tp is float:
        return (int, float), None
    if tp is datetime.datetime:
        return None, _datetime_converter
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        conv = _as_converter(item, rule)
        return (list, None) if conv is None else (None, _list_converter(conv))
    if origin is dict:
        args = typing.get_args(tp)
        conv = _as_converter(args[1] if len(args) == 2 else Any, rule)
        return (dict, None) if conv is None else (None, _dict_converter(conv))
    if _is_model(tp):
        return None, _model_converter(tp)
    if _is_enum(tp):
        return None, _enum_converter(tp)
    if origin is typing.Literal:
        return str, None
    return None, None


def _union_plan(members: list[Any], rule: _UnionRule | None) -> _FieldPlan:
    """``Enum | str`` and ``Literal[...] | str`` stay fast paths; real unions get a converter."""
    plain = [m for m in members if typing.get_origin(m) is not typing.Literal]
    enums = [m for m in plain if _is_enum(m)]
    if enums and all(m is str or _is_enum(m) for m in plain):
        return None, _enum_converter(enums[0])
    plain = [m for m in plain if m is not str or not enums]
    if len(plain) == 1:
        return _field_plan(plain[0], rule)
    if members and all(_literal_or_str(m) for m in members):
        return str, None
    return None, _union_converter(plain, rule)


def _union_converter(members: list[Any], rule: _UnionRule | None) -> _Converter:
    """A ``oneOf``/``anyOf`` value: an object goes to the model the discriminator names (or the
    fallback for an unknown tag), else to the best-fitting model (see ``_best_model``); any
    other value to the first non-model member that accepts it."""
    models = [m for m in members if _is_model(m)]
    others = [_as_converter(m) or _identity for m in members if not _is_model(m)]
    by_name = {m.__name__: m for m in models}
    prop, mapping, fallback = rule or (None, {}, None)

    def convert(value: Any) -> Any:
        if isinstance(value, dict) and models:
            tag = value.get(prop) if prop else None
            target = by_name.get(mapping.get(tag, "")) if isinstance(tag, str) else None
            if target is None and isinstance(tag, str) and fallback:
                target = by_name.get(fallback)
            target = target or _best_model(models, value, dict_member=bool(others))
            if target is not None:
                return _structure_model(value, target)
        for conv in others:
            try:
                return conv(value)
            except Exception:  # this member does not fit: try the next one
                continue
        raise _Mismatch

    return convert


def _best_model(models: list[type[Model]], value: dict[str, Any], dict_member: bool) -> Any:
    """The member whose pinned values (a subclass's discriminator value) match, whose required
    keys are all present and which declares the most of the object's keys with a value of a
    fitting JSON type; ties go to the earlier member. With a plain-map member beside the models,
    an object none of them declares a key of stays a map."""
    best, best_score = None, (-2, -1, -1)
    for cls in models:
        plan = _plan(cls)
        fits = sum(1 for key, v in value.items() if _fits(plan.fields.get(key), v))
        pins = [value.get(wire, pin) == pin for wire, pin in plan.pinned_wire.items()]
        tag = (1 if all(pins) else -1) if pins else 0
        score = (tag, int(plan.required <= value.keys()), fits)
        if score > best_score:
            best, best_score = cls, score
    if dict_member and best_score[2] == 0:
        return None
    return best


def _fits(entry: tuple[str, Any, Any] | None, value: Any) -> bool:
    """A declared key whose value passes the field's quick type check (if it has one)."""
    if entry is None:
        return False
    check = entry[1]
    return check is None or value is None or isinstance(value, check)


def _literal_or_str(tp: Any) -> bool:
    return tp is str or typing.get_origin(tp) is typing.Literal


def _as_converter(tp: Any, rule: _UnionRule | None = None) -> _Converter | None:
    """A single callable for list items and dict values (checks folded in)."""
    check, conv = _field_plan(tp, rule)
    if conv is not None or check is None:
        return conv

    def checked(value: Any) -> Any:
        if value is not None and not isinstance(value, check):
            raise _Mismatch
        return value

    return checked


def _datetime_converter(value: Any) -> datetime.datetime:
    if not isinstance(value, str):
        raise _Mismatch
    return _parse_datetime_cached(value)


# Datetimes are immutable, so one decoded value can be shared: a record's created, activated and
# statusChanged are often the same instant, and so are the records of one import. A model's
# date-time field calls the cache directly (a value that is not a string fails it too: a
# TypeError, unhashable or not a text to match, which keeps the value aside like a _Mismatch).
_parse_datetime_cached = functools.lru_cache(maxsize=1024)(parse_datetime)


class _OpenMembers(dict[Any, Any]):
    """An enum's members by value; a string it does not list is kept as it is (open enum)."""

    def __missing__(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise _Mismatch
        return value


def _enum_converter(cls: type[enum.Enum]) -> _Converter:
    """The members table's own ``__getitem__``: a known value costs no Python frame; a value that
    is not a string raises (``_Mismatch``, or ``TypeError`` when unhashable)."""
    return _OpenMembers(cls._value2member_map_).__getitem__


def _model_converter(cls: type[Model], *, pass_non_objects: bool = False) -> _Converter:
    """``_structure_model`` for ``cls``, with the lookup of a known shape's decoder done here, so
    that a typical record costs one Python frame before its compiled decoder.

    ``pass_non_objects``: a value that is not a JSON object is returned as it is (a page item)
    instead of raising ``_Mismatch`` (a field, whose value is then kept aside).
    """
    known: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] | None = None

    def convert(value: Any) -> Any:
        nonlocal known
        if known is not None and value.__class__ is dict:
            decode = known.get(tuple(value))
            if decode is not None:
                return decode(value)
        if pass_non_objects and not isinstance(value, dict):
            return value
        model = _structure_model(value, cls)
        if known is None and _PLANS[cls].discriminator is None:  # a subclass may be due
            known = _PLANS[cls].shapes
        return model

    return convert


def _list_converter(item: _Converter) -> _Converter:
    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Mismatch
        return [None if v is None else item(v) for v in value]

    return convert


def _dict_converter(item: _Converter) -> _Converter:
    def convert(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch
        return {k: None if v is None else item(v) for k, v in value.items()}

    return convert


# --------------------------------------------------------------------------- model hooks


@attrs.frozen
class _Plan:
    """Everything needed to structure/unstructure one model class."""

    fields: dict[str, tuple[str, Any, Any]]  # wire -> (attribute, check, converter)
    out: tuple[tuple[str, str, bool], ...]  # (attribute, wire, read_only) in field order
    read_only_wires: frozenset[str]
    required: frozenset[str]  # wire names the schema lists as required (union member choice)
    discriminator: tuple[str, dict[str, str]] | None
    # Fields with a non-UNSET default (a subclass's pinned ``name``/discriminator value): when the
    # record lacks them they are set to UNSET, so decoding never invents data.
    pinned: tuple[str, ...]
    pinned_wire: dict[str, Any]  # wire name -> that pinned value (picks a union member)
    always: frozenset[str]  # always-present, not nullable: a null is not kept under the plain type
    # Every field's Python name -> the slot descriptor a lazy field is written through (else None)
    slots: dict[str, Any]
    shapes: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] = attrs.field(factory=dict)


_PLANS: dict[type, _Plan] = {}


def _plan(cls: type[Model]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _build_plan(cls)
    return plan


def _build_plan(cls: type[Model]) -> _Plan:
    resolve_types(cls)
    fields: dict[str, tuple[str, Any, Any]] = {}
    out: list[tuple[str, str, bool]] = []
    read_only: set[str] = set()
    required: set[str] = set()
    pinned: list[str] = []
    pinned_wire: dict[str, Any] = {}
    slots: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.metadata.get("additional"):
            continue
        if field.default is not UNSET and field.default is not ABSENT:
            pinned.append(field.name)
            pinned_wire[field.metadata.get("wire", field.name)] = field.default
        wire = field.metadata.get("wire", field.name)
        check, conv = _field_plan(field.type, field.metadata.get("union"))
        if conv is _datetime_converter:  # the cache itself: no Python frame on a hit
            conv = _parse_datetime_cached
        lazy = _lazy(cls, field, wire, conv)  # kept as its JSON object until first read
        if lazy is not None:
            check, conv = dict, None
        fields[wire] = (field.name, check, conv)
        slots[field.name] = None if lazy is None else lazy.slot
        if field.metadata.get("required"):
            required.add(wire)
        ro = bool(field.metadata.get("read_only"))
        out.append((field.name, wire, ro))
        if ro:
            read_only.add(wire)
    return _Plan(
        fields=fields,
        out=tuple(out),
        read_only_wires=frozenset(read_only),
        required=frozenset(required),
        discriminator=cls.__dict__.get("__okta_discriminator__"),
        pinned=tuple(pinned),
        pinned_wire=pinned_wire,
        always=frozenset(f.name for f in attrs.fields(cls) if _plain_always(f.metadata)),
        slots=slots,
    )


def _plain_always(metadata: Mapping[str, Any]) -> bool:
    """An always-present field typed without ``None`` (a null for it is kept aside)."""
    return bool(metadata.get("always")) and not metadata.get("nullable")


def _subclass_for(cls: type[Model], plan: _Plan, data: dict[str, Any]) -> type[Model] | None:
    """The subclass named by the discriminator value, or None (unknown or absent value)."""
    assert plan.discriminator is not None
    prop, mapping = plan.discriminator
    tag = data.get(prop)
    target = mapping.get(tag) if isinstance(tag, str) else None
    if target is None:
        return None
    package = sys.modules.get(cls.__module__.rpartition(".")[0])
    sub = getattr(package, target, None)
    return sub if isinstance(sub, type) and issubclass(sub, cls) and sub is not cls else None


def _structure_model(data: Any, cls: type[M]) -> M:
    if not isinstance(data, dict):
        raise _Mismatch
    plan = _PLANS.get(cls) or _plan(cls)
    if plan.discriminator is not None:
        sub = _subclass_for(cls, plan, data)
        if sub is not None:
            return cast(M, _structure_model(data, sub))
    if data.__class__ is dict:
        shape = tuple(data)
        decode = plan.shapes.get(shape) or _shape_decoder(cls, plan, shape)
        if decode is not None:
            return cast(M, decode(data))
    return _structure_record(data, cls, plan)


def _shape_decoder(
    cls: type[Model], plan: _Plan, shape: tuple[str, ...]
) -> Callable[[dict[str, Any]], Any] | None:
    """Compile (and keep) the decoder of records of ``cls`` with these keys; None once the class
    has ``shapes.MAX_SHAPES`` of them (the general path then serves new shapes), and for a class
    whose attribute stores run code (attrs validators or ``on_setattr`` hooks, frozen classes):
    a shape decoder stores slots without ``__init__``, so only ``__init__`` may build those."""
    if len(plan.shapes) >= shapes.MAX_SHAPES or cls.__setattr__ is not object.__setattr__:
        return None

    def general(data: dict[str, Any]) -> Any:
        return _structure_record(data, cls, plan)

    decode = shapes.compile_shape(
        cls, plan.fields, plan.always, plan.pinned, plan.slots, shape, general
    )
    plan.shapes[shape] = decode
    return decode


def _structure_record(data: dict[str, Any], cls: type[M], plan: _Plan) -> M:
    """The general, tolerant path: one loop over the record's keys (the reference for the
    compiled shape decoders)."""
    table = plan.fields
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        entry = table.get(key)
        if entry is None:
            extra[key] = value
            continue
        name, check, conv = entry
        if value is None:
            if name in plan.always:  # null under a plain type: kept aside, read raises
                extra[key] = value
            else:
                kwargs[name] = None
        elif check is not None:
            if isinstance(value, check):
                kwargs[name] = value
            else:
                extra[key] = value
        elif conv is None:
            kwargs[name] = value
        else:
            try:
                kwargs[name] = conv(value)
            except Exception:  # a value that does not fit: kept, never raised
                extra[key] = value
    kwargs["additional_properties"] = extra  # the model's own (saves its factory a dict)
    for name in plan.pinned:
        kwargs.setdefault(name, UNSET)
    return cls(**kwargs)


# --------------------------------------------------------------------------- lazy HAL objects


def _lazy(
    cls: type, field: attrs.Attribute[Any], wire: str, conv: _Converter | None
) -> _LazySlot | None:
    """The lazy slot of ``field`` of ``cls`` if the field is decoded on first read, else None."""
    if conv is None or not _rarely_read(wire) or not _lone_model(field.type):
        return None
    return _make_lazy(cls, field.name, conv)


def _rarely_read(wire: str) -> bool:
    """A field decoded on first read: HAL objects (``_links``) and ``credentials``."""
    return wire.startswith("_") or wire == "credentials"


def _lone_model(tp: Any) -> bool:
    """Whether an annotation is one model class (besides ``None`` and ``Unset``)."""
    members = [m for m in typing.get_args(tp) or (tp,) if m not in (NoneType, Unset)]
    return len(members) == 1 and _is_model(members[0])


class _LazySlot:
    """Wraps a slot that may still hold a field's JSON object: the first read decodes it into
    the field's model and stores that.

    Decoding a JSON object into a model never fails (misfits go to its extras), so reading the
    field later gives exactly what decoding it at once would have given. The slot holds the
    record's own dict, so a lazy field costs no allocation until it is read. Subclasses share
    the slot but may declare the field differently: each class registers its own converter.
    """

    __slots__ = ("converters", "slot")

    def __init__(self, slot: Any) -> None:
        self.slot = slot
        self.converters: dict[type, _Converter] = {}

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.slot
        value = self.slot.__get__(obj, owner)
        if isinstance(value, dict):
            convert = self.converters.get(obj.__class__)
            if convert is not None:
                value = convert(value)
                self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: Any) -> None:
        self.slot.__delete__(obj)


def _make_lazy(cls: type, name: str, convert: _Converter) -> _LazySlot | None:
    """Have the slot behind ``cls.name`` decode its JSON object with ``convert`` on first read
    (wrapping it in a ``_LazySlot`` once, which is returned); None for a field that is not a slot.

    Used for the fields ``_rarely_read`` names: many objects per record, seldom read.
    """
    for klass in cls.__mro__:
        slot = klass.__dict__.get(name)
        if isinstance(slot, MemberDescriptorType):
            slot = _LazySlot(slot)
            setattr(klass, name, slot)
        if isinstance(slot, _LazySlot):
            slot.converters[cls] = convert
            return slot
    return None


def _unstructure_model(obj: Model, include_read_only: bool) -> dict[str, Any]:
    plan = _PLANS.get(type(obj)) or _plan(type(obj))
    result: dict[str, Any] = {}
    for name, wire, read_only in plan.out:
        if read_only and not include_read_only:
            continue
        value = getattr(obj, name, UNSET)  # an absent always-present field is not sent
        if value is UNSET:
            continue
        result[wire] = (
            value if value.__class__ in _PRIMITIVES else _to_json(value, include_read_only)
        )
    for key, value in obj.additional_properties.items():
        if key in result or (not include_read_only and key in plan.read_only_wires):
            continue
        result[key] = _to_json(value, include_read_only)
    return result


def _to_json(value: Any, include_read_only: bool) -> Any:
    """Any Python value -> JSON-able data (models, enums and datetimes inside containers too)."""
    if value.__class__ in _PRIMITIVES:
        return value
    if isinstance(value, Model):
        return _unstructure_model(value, include_read_only)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, Mapping):
        return {k: _to_json(v, include_read_only) for k, v in value.items() if v is not UNSET}
    if isinstance(value, (list, tuple)):
        return [_to_json(v, include_read_only) for v in value]
    return value


# --------------------------------------------------------------------------- public API


@overload
def structure(data: Any, cls: type[M]) -> M: ...
@overload
def structure(data: Any, cls: Any) -> Any: ...
def structure(data: Any, cls: Any) -> Any:
    """Decoded JSON -> an instance of ``cls`` (a model, or a container or union of models).

    ``data`` must have the JSON shape ``cls`` names (``TypeError`` otherwise: an object for a
    model, an array for a list); inside a model nothing raises.
    """
    check, conv = _field_plan(cls)
    try:
        if conv is not None:
            return conv(data)
        if check is not None and data is not None and not isinstance(data, check):
            raise _Mismatch
        return data
    except _Mismatch:
        got = type(data).__name__
        if _is_model(cls) and not isinstance(data, dict):
            raise TypeError(f"{cls.__name__} needs a JSON object, got {got}") from None
        raise TypeError(f"{cls} cannot be read from a {got} (or an item of it)") from None


def unstructure(obj: Any, *, include_read_only: bool = True) -> Any:
    """A model (or containers of models) -> JSON-able data with wire names; UNSET omitted."""
    return _to_json(obj, include_read_only)


def request_body(obj: Any) -> Any:
    """What a request sends: like ``unstructure`` but without readOnly fields, at every depth."""
    return _to_json(obj, False)


def decoder(cls: type[T] | None) -> Callable[[Any], T]:
    """A function decoding one JSON item into ``cls``, which never raises.

    Used for every item of a page: an item that cannot become ``cls`` at all (not a JSON object
    where a model is expected) is returned unchanged rather than failing the page.
    """
    if cls is None or cls is dict or cls is object:
        return _identity
    if _is_model(cls):
        return _model_converter(cast(type[Model], cls), pass_non_objects=True)
    _, conv = _field_plan(cls)
    if conv is None:
        return _identity

    def decode_value(item: Any) -> T:
        try:
            return cast(T, conv(item))
        except Exception:
            return cast(T, item)

    return decode_value


def _identity(item: Any) -> Any:
    return item
