"""A small, safe evaluator for the Okta Expression Language forms group rules commonly use.

Supported (anything else is refused when the rule is created, as Okta refuses what it cannot
parse)::

    user.department=="Engineering"          user.title != "Intern"
    String.startsWith(user.email, "admin")  String.stringContains(user.login, "@example.com")
    String.toLowerCase(user.city)=="paris"  String.toUpperCase(...)
    a AND b, a OR b, a && b, a || b, !a, NOT a, (a), true, false

``user.<attr>`` reads the user's profile attribute (a missing one reads as null). The text is
tokenised and parsed into closures; nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Json = dict[str, Any]
Value = Callable[[Json], Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>==|!=|&&|\|\||[!(),])
      | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_AND = {"AND", "and", "&&"}
_OR = {"OR", "or", "||"}
_NOT = {"!", "NOT", "not"}


class ExpressionError(ValueError):
    """The expression is outside what this evaluator (and so the fake org) understands."""


def _starts(text: Any, prefix: Any) -> bool:
    return isinstance(text, str) and isinstance(prefix, str) and text.startswith(prefix)


def _contains(text: Any, part: Any) -> bool:
    return isinstance(text, str) and isinstance(part, str) and part in text


def _lower(text: Any) -> Any:
    return text.lower() if isinstance(text, str) else text


def _upper(text: Any) -> Any:
    return text.upper() if isinstance(text, str) else text


# name -> (arity, function, returns a boolean)
_FUNCTIONS: dict[str, tuple[int, Callable[..., Any], bool]] = {
    "String.startsWith": (2, _starts, True),
    "String.stringContains": (2, _contains, True),
    "String.toLowerCase": (1, _lower, False),
    "String.toUpperCase": (1, _upper, False),
}


def _either(a: Value, b: Value) -> Value:
    return lambda u: bool(a(u)) or bool(b(u))


def _both(a: Value, b: Value) -> Value:
    return lambda u: bool(a(u)) and bool(b(u))


def _negate(a: Value) -> Value:
    return lambda u: not a(u)


def _equal(a: Value, b: Value, expected: bool) -> Value:
    return lambda u: (a(u) == b(u)) is expected


def _const(value: Any) -> Value:
    return lambda u: value


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; raises on any character the grammar does not know."""
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected text at position {pos}: {text[pos : pos + 12]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


@dataclass
class _Node:
    """A compiled sub-expression and whether it yields a boolean."""

    fn: Value
    boolean: bool


class _Parser:
    """Recursive descent over the token list: or > and > not > comparison > operand."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError("the expression ends too early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        _, found = self.take()
        if found != text:
            raise ExpressionError(f"expected {text!r}, found {found!r}")

    def parse(self) -> _Node:
        node = self.disjunction()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()!r}")
        return node

    def disjunction(self) -> _Node:
        return self.chain(self.conjunction, _OR, _either)

    def conjunction(self) -> _Node:
        return self.chain(self.negation, _AND, _both)

    def chain(
        self, operand: Callable[[], _Node], ops: set[str], combine: Callable[[Value, Value], Value]
    ) -> _Node:
        """``operand (op operand)*``, folded left with ``combine``."""
        node = operand()
        while self.peek() in ops:
            self.take()
            node = _Node(combine(node.fn, operand().fn), True)
        return node

    def negation(self) -> _Node:
        if self.peek() in _NOT:
            self.take()
            return _Node(_negate(self.negation().fn), True)
        return self.comparison()

    def comparison(self) -> _Node:
        left = self.operand()
        op = self.peek()
        if op not in ("==", "!="):
            return left
        self.take()
        return _Node(_equal(left.fn, self.operand().fn, op == "=="), True)

    def operand(self) -> _Node:
        kind, text = self.take()
        if kind == "string":
            return _Node(_const(re.sub(r"\\(.)", r"\1", text[1:-1])), False)
        if text == "(":
            node = self.disjunction()
            self.expect(")")
            return node
        if kind == "name":
            return self.named(text)
        raise ExpressionError(f"unexpected {text!r}")

    def named(self, name: str) -> _Node:
        if name in ("true", "false"):
            return _Node(_const(name == "true"), True)
        if name in _FUNCTIONS:
            return self.call(name)
        attr = name.removeprefix("user.")
        if name.startswith("user.") and attr and "." not in attr:
            return _Node(lambda u: u.get("profile", {}).get(attr), False)
        raise ExpressionError(f"unsupported name {name!r}")

    def call(self, name: str) -> _Node:
        arity, function, boolean = _FUNCTIONS[name]
        self.expect("(")
        args = [self.disjunction()]
        while self.peek() == ",":
            self.take()
            args.append(self.disjunction())
        self.expect(")")
        if len(args) != arity:
            raise ExpressionError(f"{name} takes {arity} arguments, not {len(args)}")
        fns = [a.fn for a in args]
        return _Node(lambda u: function(*(f(u) for f in fns)), boolean)


@lru_cache(maxsize=256)
def compile_expression(text: str) -> Callable[[Json], bool]:
    """A predicate over a user dict for ``text``; ExpressionError when it cannot be evaluated."""
    try:
        node = _Parser(text).parse()
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    if not node.boolean:
        raise ExpressionError("the expression does not evaluate to true or false")
    fn = node.fn
    return lambda user: bool(fn(user))
