"""Parser and evaluator for Okta's ``filter`` / ``search`` expressions.

Grammar (case-insensitive keywords)::

    expr    := and_expr ("or" and_expr)*
    and_expr:= unary ("and" unary)*
    unary   := "not" unary | "(" expr ")" | attr "pr" | attr OP literal
    OP      := eq | ne | sw | ew | co | gt | ge | lt | le
    literal := "quoted string" | number | true | false | null

Attribute paths are dotted (``profile.department``, ``target.id``); lists met on the way are
flattened, and a comparison holds when any reached value satisfies it. String equality and
prefix matches are case-insensitive as in Okta; a quoted literal shaped like an ISO timestamp
is compared as a point in time (``lastUpdated gt "2013-06-01T00:00:00.000Z"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from okta_async.testing._util import ApiError, parse_time

Predicate = Callable[[dict[str, Any]], bool]
Getter = Callable[[dict[str, Any], str], list[Any]]

_TOKEN = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<str>(?:[^"\\]|\\.)*)"|(?P<word>[^\s()"]+))')
_OPS = {"eq", "ne", "sw", "ew", "co", "gt", "ge", "lt", "le"}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def invalid(reason: str) -> ApiError:
    """Okta's answer to an unparsable filter/search expression."""
    return ApiError(400, "E0000031", "Invalid search criteria.", [reason])


def path_values(item: Any, path: str) -> list[Any]:
    """Values reached by following dotted ``path`` in ``item``, flattening lists."""
    current = [item]
    for part in path.split("."):
        nxt: list[Any] = []
        for value in current:
            if isinstance(value, list):
                value_list: list[Any] = value
                for elem in value_list:
                    if isinstance(elem, dict) and part in elem:
                        nxt.append(elem[part])
            elif isinstance(value, dict) and part in value:
                nxt.append(value[part])
        current = nxt
    out: list[Any] = []
    for value in current:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise invalid(f"unexpected character at {pos}")
        pos = match.end()
        if match.group("lp"):
            tokens.append(("(", None))
        elif match.group("rp"):
            tokens.append((")", None))
        elif match.group("str") is not None:
            tokens.append(("str", re.sub(r"\\(.)", r"\1", match.group("str"))))
        else:
            tokens.append(("word", match.group("word")))
    return tokens


def _literal(kind: str, raw: Any) -> Any:
    if kind == "str":
        return raw
    word = str(raw)
    lowered = word.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return int(word)
    except ValueError:
        pass
    try:
        return float(word)
    except ValueError:
        raise invalid(f"bad literal {word!r}") from None


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if isinstance(expected, str) and isinstance(actual, str):
        if op in ("eq", "ne", "gt", "ge", "lt", "le") and _TIMESTAMP.match(expected):
            try:
                a: Any = parse_time(actual)
                e: Any = parse_time(expected)
            except ValueError:
                a, e = actual.lower(), expected.lower()
        else:
            a, e = actual.lower(), expected.lower()
    elif isinstance(expected, bool) or expected is None or isinstance(actual, bool):
        a, e = actual, expected
        if op not in ("eq", "ne"):
            return False
    elif isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        a, e = actual, expected
    else:
        return op == "ne"
    if op == "eq":
        return bool(a == e)
    if op == "ne":
        return bool(a != e)
    if op == "sw":
        return isinstance(a, str) and a.startswith(e)
    if op == "ew":
        return isinstance(a, str) and a.endswith(e)
    if op == "co":
        return isinstance(a, str) and e in a
    try:
        if op == "gt":
            return bool(a > e)
        if op == "ge":
            return bool(a >= e)
        if op == "lt":
            return bool(a < e)
        return bool(a <= e)
    except TypeError:
        return False


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], getter: Getter) -> None:
        self.tokens = tokens
        self.pos = 0
        self.getter = getter
        self.attributes: list[str] = []

    def peek_word(self) -> str | None:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "word":
            return str(self.tokens[self.pos][1]).lower()
        return None

    def take(self) -> tuple[str, Any]:
        if self.pos >= len(self.tokens):
            raise invalid("unexpected end of expression")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            raise invalid("empty expression")
        node = self.expr()
        if self.pos != len(self.tokens):
            raise invalid(f"unexpected token {self.tokens[self.pos][1]!r}")
        return node

    def expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.peek_word() == "or":
            self.pos += 1
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda item: any(p(item) for p in parts)

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.peek_word() == "and":
            self.pos += 1
            parts.append(self.unary())
        if len(parts) == 1:
            return parts[0]
        return lambda item: all(p(item) for p in parts)

    def unary(self) -> Predicate:
        if self.peek_word() == "not":
            self.pos += 1
            inner = self.unary()
            return lambda item: not inner(item)
        kind, value = self.take()
        if kind == "(":
            node = self.expr()
            if self.take()[0] != ")":
                raise invalid("missing ')'")
            return node
        if kind != "word":
            raise invalid(f"expected an attribute, got {value!r}")
        attr = str(value)
        self.attributes.append(attr)
        op_kind, op_raw = self.take()
        op = str(op_raw).lower()
        getter = self.getter
        if op_kind == "word" and op == "pr":
            return lambda item: any(v is not None for v in getter(item, attr))
        if op_kind != "word" or op not in _OPS:
            raise invalid(f"unknown operator {op_raw!r}")
        lit_kind, lit_raw = self.take()
        if lit_kind not in ("str", "word"):
            raise invalid("expected a literal")
        expected = _literal(lit_kind, lit_raw)
        if op == "ne":
            return lambda item: not any(_compare("eq", v, expected) for v in getter(item, attr))
        return lambda item: any(_compare(op, v, expected) for v in getter(item, attr))


class Expression:
    """A compiled filter/search expression; call :meth:`matches` on a JSON item."""

    def __init__(self, text: str, getter: Getter = path_values) -> None:
        parser = _Parser(_tokenize(text), getter)
        self._predicate = parser.parse()
        self.text = text
        self.attributes = tuple(parser.attributes)

    def matches(self, item: dict[str, Any]) -> bool:
        return self._predicate(item)

    def mentions(self, attribute: str) -> bool:
        return attribute in self.attributes
