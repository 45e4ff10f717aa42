"""A small, safe expression language for checklist conditions: tokenizer, parser, evaluator.

Why not ``eval``: playbooks are files a consultant may receive from someone else; a
condition must only be able to read named facts and compare them, never run code. The
language is typed, so a mistake (an unknown fact, comparing a number with a string) is
found by ``playbook check`` before a customer ever sees a wrong checklist.

Grammar (lowest precedence first)::

    expression := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand]
    operand    := FACT | INTEGER | STRING | "true" | "false" | list | "(" expression ")"
    list       := "[" [literal ("," literal)* [","]] "]"

A FACT is a dotted name such as ``verification.missing_projects_count``. Evaluation uses
three-valued logic: a fact whose evidence is not there yet (the verify step has not run) is
*unknown*, and so is anything that depends on it, except ``false and unknown`` (false) and
``true or unknown`` (true). An unknown result means "not enough evidence", never "false".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from dmsa_migrate.errors import InputError

FactType = str
"""One of ``bool``, ``int``, ``str``, ``list[int]``, ``list[str]``."""

SCALAR_TYPES: Final = ("bool", "int", "str")
LIST_TYPES: Final = ("list[int]", "list[str]")
_EMPTY_LIST = "list[]"
MAX_LENGTH: Final = 2000


class Unknown:
    """The value of a fact whose evidence is missing (its step has not run)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; test `is UNKNOWN`")


UNKNOWN: Final = Unknown()


class ConditionError(InputError):
    """A condition that does not parse or does not type-check; ``column`` is 1-based."""

    title = "Invalid condition"

    def __init__(self, detail: str, column: int) -> None:
        super().__init__(f"{detail} (at column {column})")
        self.detail = detail
        self.column = column


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<int>-?\d+)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)
_KEYWORDS: Final = {"and", "or", "not", "in", "true", "false"}


@dataclass(frozen=True)
class Token:
    """One lexical token; ``column`` is 1-based for error messages."""

    kind: str  # name, keyword, int, string, op, punct, end
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token."""
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition is longer than {MAX_LENGTH} characters", 1)
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConditionError(f"unexpected character {text[position]!r}", position + 1)
        kind = match.lastgroup or ""
        value = match.group()
        if kind != "space":
            if kind == "name" and value in _KEYWORDS:
                kind = "keyword"
            elif kind == "name" and value.lower() in _KEYWORDS:
                raise ConditionError(f"write {value.lower()!r} in lower case", position + 1)
            tokens.append(Token(kind, value, position + 1))
        position = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Node:
    """Base of the syntax tree; ``column`` points at the node's first character."""

    column: int


@dataclass(frozen=True)
class LiteralNode(Node):
    value: bool | int | str


@dataclass(frozen=True)
class ListNode(Node):
    items: tuple[LiteralNode, ...]


@dataclass(frozen=True)
class FactNode(Node):
    name: str


@dataclass(frozen=True)
class NotNode(Node):
    operand: Node


@dataclass(frozen=True)
class BoolNode(Node):
    operator: str  # "and" | "or"
    left: Node
    right: Node


@dataclass(frozen=True)
class CompareNode(Node):
    operator: str  # == != < <= > >= in "not in"
    left: Node
    right: Node


_COMPARISONS: Final = {"==", "!=", "<", "<=", ">", ">="}


MAX_NESTING: Final = 32
"""Levels of ``(`` and ``not`` a condition may nest: far beyond any real ``done_when``."""
MAX_TOKENS: Final = 401
"""Words and signs in one condition (plus the end marker): keeps every tree walk shallow."""


class _Parser:
    """Recursive-descent parser over the token list (one token of look-ahead)."""

    def __init__(self, tokens: list[Token]) -> None:
        if len(tokens) > MAX_TOKENS:
            raise ConditionError(
                f"the condition is too long ({len(tokens) - 1} words and signs; at most "
                f"{MAX_TOKENS - 1}): split it into several items", tokens[MAX_TOKENS].column
            )
        self._tokens = tokens
        self._index = 0
        self._depth = 0

    def _nest(self, column: int) -> None:
        """One more level of ``(`` or ``not``; playbooks are untrusted, so depth is capped."""
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise ConditionError(
                f"nested too deeply (more than {MAX_NESTING} levels of '(' or 'not')", column
            )

    @property
    def _current(self) -> Token:
        return self._tokens[self._index]

    def _advance(self) -> Token:
        token = self._current
        self._index += 1
        return token

    def _is(self, kind: str, text: str | None = None) -> bool:
        token = self._current
        return token.kind == kind and (text is None or token.text == text)

    def _expect(self, kind: str, text: str, what: str) -> Token:
        if not self._is(kind, text):
            raise ConditionError(f"expected {what}, found {self._describe()}", self._current.column)
        return self._advance()

    def _describe(self) -> str:
        token = self._current
        return "the end of the condition" if token.kind == "end" else repr(token.text)

    def parse(self) -> Node:
        if self._is("end"):
            raise ConditionError("the condition is empty", 1)
        node = self._or()
        if not self._is("end"):
            raise ConditionError(
                f"unexpected {self._describe()}: join conditions with 'and' / 'or'",
                self._current.column,
            )
        return node

    def _or(self) -> Node:
        node = self._and()
        while self._is("keyword", "or"):
            self._advance()
            node = BoolNode(node.column, "or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._is("keyword", "and"):
            self._advance()
            node = BoolNode(node.column, "and", node, self._not())
        return node

    def _not(self) -> Node:
        if self._is("keyword", "not"):
            token = self._advance()
            self._nest(token.column)
            node = NotNode(token.column, self._not())
            self._depth -= 1
            return node
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._operand()
        operator = self._comparison_operator()
        if operator is None:
            return left
        right = self._operand()
        if self._comparison_operator(peek=True) is not None:
            raise ConditionError(
                "comparisons cannot be chained: write 'a < b and b < c'", self._current.column
            )
        return CompareNode(left.column, operator, left, right)

    def _comparison_operator(self, *, peek: bool = False) -> str | None:
        token = self._current
        if token.kind == "op" and token.text in _COMPARISONS:
            operator = token.text
        elif token.kind == "keyword" and token.text == "in":
            operator = "in"
        elif (
            token.kind == "keyword"
            and token.text == "not"
            and self._tokens[self._index + 1].kind == "keyword"
            and self._tokens[self._index + 1].text == "in"
        ):
            operator = "not in"
        else:
            return None
        if not peek:
            self._index += 2 if operator == "not in" else 1
        return operator

    def _operand(self) -> Node:
        token = self._current
        if token.kind == "punct" and token.text == "(":
            self._advance()
            self._nest(token.column)
            node = self._or()
            self._expect("punct", ")", "')'")
            self._depth -= 1
            return node
        if token.kind == "punct" and token.text == "[":
            return self._list()
        if token.kind == "name":
            self._advance()
            if "." not in token.text:
                raise ConditionError(
                    f"{token.text!r} is not a fact: facts are dotted names such as "
                    "'verification.missing_projects_count'; text needs quotes",
                    token.column,
                )
            return FactNode(token.column, token.text)
        return self._literal()

    def _literal(self) -> LiteralNode:
        token = self._current
        if token.kind == "int":
            self._advance()
            return LiteralNode(token.column, int(token.text))
        if token.kind == "string":
            self._advance()
            return LiteralNode(token.column, _unquote(token.text))
        if token.kind == "keyword" and token.text in ("true", "false"):
            self._advance()
            return LiteralNode(token.column, token.text == "true")
        raise ConditionError(f"expected a fact or a value, found {self._describe()}", token.column)

    def _list(self) -> ListNode:
        start = self._advance()
        items: list[LiteralNode] = []
        while not self._is("punct", "]"):
            items.append(self._literal())
            if self._is("punct", ","):
                self._advance()
            elif not self._is("punct", "]"):
                raise ConditionError(
                    f"expected ',' or ']', found {self._describe()}", self._current.column
                )
        self._advance()
        return ListNode(start.column, tuple(items))


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


# ---------------------------------------------------------------- types


def _literal_type(value: bool | int | str) -> FactType:
    if isinstance(value, bool):
        return "bool"
    return "int" if isinstance(value, int) else "str"


def _type_of(node: Node, catalogue: Mapping[str, FactType]) -> FactType:
    """The static type of ``node``; raises :class:`ConditionError` on any mismatch."""
    if isinstance(node, LiteralNode):
        return _literal_type(node.value)
    if isinstance(node, ListNode):
        kinds = {_literal_type(item.value) for item in node.items}
        if not kinds:
            return _EMPTY_LIST
        if len(kinds) > 1 or "bool" in kinds:
            raise ConditionError("a list holds only numbers or only text", node.column)
        return f"list[{kinds.pop()}]"
    if isinstance(node, FactNode):
        if node.name not in catalogue:
            raise ConditionError(_unknown_fact_message(node.name, catalogue), node.column)
        return catalogue[node.name]
    if isinstance(node, NotNode):
        _require_bool(node.operand, catalogue, "'not'")
        return "bool"
    if isinstance(node, BoolNode):
        _require_bool(node.left, catalogue, f"'{node.operator}'")
        _require_bool(node.right, catalogue, f"'{node.operator}'")
        return "bool"
    assert isinstance(node, CompareNode)
    _check_comparison(node, catalogue)
    return "bool"


def _require_bool(node: Node, catalogue: Mapping[str, FactType], where: str) -> None:
    found = _type_of(node, catalogue)
    if found != "bool":
        hint = " (compare it, e.g. '== 0')" if found == "int" else ""
        raise ConditionError(f"{where} needs a true/false value, not {found}{hint}", node.column)


def _check_comparison(node: CompareNode, catalogue: Mapping[str, FactType]) -> None:
    left = _type_of(node.left, catalogue)
    right = _type_of(node.right, catalogue)
    if node.operator in ("in", "not in"):
        if left not in SCALAR_TYPES or right not in (*LIST_TYPES, _EMPTY_LIST):
            raise ConditionError(
                f"'{node.operator}' needs a value on the left and a list on the right, "
                f"not {left} {node.operator} {right}",
                node.column,
            )
        if right != _EMPTY_LIST and right != f"list[{left}]":
            raise ConditionError(f"cannot look for {left} in {right}", node.column)
        return
    if node.operator in ("<", "<=", ">", ">="):
        if left != "int" or right != "int":
            raise ConditionError(
                f"'{node.operator}' compares numbers, not {left} and {right}", node.column
            )
        return
    lists = {left, right} - {_EMPTY_LIST}
    if left != right and not (len(lists) == 1 and lists.pop() in LIST_TYPES):
        raise ConditionError(f"cannot compare {left} with {right}", node.column)


def _unknown_fact_message(name: str, catalogue: Mapping[str, FactType]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(catalogue), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else "; see docs/playbooks.md for the facts"
    return f"unknown fact '{name}'{hint}"


# ---------------------------------------------------------------- evaluation

Value = bool | int | str | list[int] | list[str] | tuple[int | str, ...] | Unknown
Truth = bool | None
"""The result of a condition: ``None`` means not enough evidence to decide."""


def _evaluate(node: Node, facts: Mapping[str, object]) -> object:
    if isinstance(node, LiteralNode):
        return node.value
    if isinstance(node, ListNode):
        return [item.value for item in node.items]
    if isinstance(node, FactNode):
        return facts.get(node.name, UNKNOWN)
    if isinstance(node, NotNode):
        value = _evaluate(node.operand, facts)
        return UNKNOWN if value is UNKNOWN else not value
    if isinstance(node, BoolNode):
        return _evaluate_bool(node, facts)
    assert isinstance(node, CompareNode)
    return _evaluate_comparison(node, facts)


def _evaluate_bool(node: BoolNode, facts: Mapping[str, object]) -> object:
    decisive = node.operator == "or"  # the value that decides alone: or → true, and → false
    left = _evaluate(node.left, facts)
    if left is not UNKNOWN and bool(left) is decisive:
        return decisive
    right = _evaluate(node.right, facts)
    if right is not UNKNOWN and bool(right) is decisive:
        return decisive
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return not decisive


def _evaluate_comparison(node: CompareNode, facts: Mapping[str, object]) -> object:
    left = _evaluate(node.left, facts)
    right = _evaluate(node.right, facts)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    operator = node.operator
    if operator == "in":
        return left in right  # type: ignore[operator]
    if operator == "not in":
        return left not in right  # type: ignore[operator]
    if operator in ("==", "!="):
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            same = list(left) == list(right)
        else:
            same = left == right
        return same if operator == "==" else not same
    assert isinstance(left, int) and isinstance(right, int)
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[operator]


# ---------------------------------------------------------------- public


@dataclass(frozen=True)
class Condition:
    """A parsed and type-checked condition, ready to evaluate for one company's facts."""

    text: str
    tree: Node = field(repr=False)
    facts: frozenset[str] = frozenset()

    def evaluate(self, facts: Mapping[str, object]) -> Truth:
        """True, False, or None when a fact it needs is unknown (evidence missing)."""
        result = _evaluate(self.tree, facts)
        return None if result is UNKNOWN else bool(result)

    def missing(self, facts: Mapping[str, object]) -> list[str]:
        """The facts this condition reads whose value is unknown (to explain a None)."""
        return sorted(name for name in self.facts if facts.get(name, UNKNOWN) is UNKNOWN)


def _fact_names(node: Node) -> set[str]:
    if isinstance(node, FactNode):
        return {node.name}
    if isinstance(node, NotNode):
        return _fact_names(node.operand)
    if isinstance(node, BoolNode | CompareNode):
        return _fact_names(node.left) | _fact_names(node.right)
    return set()


def compile_condition(text: str, catalogue: Mapping[str, FactType]) -> Condition:
    """Parse ``text`` and check it against ``catalogue`` (fact name → type).

    Raises:
        ConditionError: a syntax error, an unknown fact or a type mismatch, with the column.
    """
    tree = _Parser(tokenize(text)).parse()
    result = _type_of(tree, catalogue)
    if result != "bool":
        raise ConditionError(
            f"a condition must be true or false, this one is {result}"
            + (" (compare it, e.g. '== 0')" if result == "int" else ""),
            1,
        )
    return Condition(text, tree, frozenset(_fact_names(tree)))
