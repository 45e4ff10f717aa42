"""What one parsed file says: definitions, functions, classes and calls.

One walk over the tree-sitter syntax tree collects, language by language, the few shapes
the endpoint resolver needs, under one vocabulary:

* a **definition** gives a name a value (``BASE = "…"``, ``self.endpoint = …``,
  ``const X = …``, a C# property ``Resource => $"…"``, a Go ``const``, a PHP property,
  a key of an object literal, a parameter's default);
* a **function** has parameters, returned expressions and a body (the wrapper candidates);
* a **call** has a callee (its receiver text and last name) and its arguments, keyword
  arguments and the keys of object-literal arguments kept apart.

Comments are never entered, so commented-out calls are not calls. Each item keeps the
class and function it sits in, which is what lets ``self.endpoint`` mean this class's
endpoint and ``url`` mean this function's local.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

Node = Any
"""A tree-sitter node (the binding ships no type stubs)."""

CLASS_TYPES = frozenset(
    {
        "class_definition", "class_declaration", "class", "module", "record_declaration",
        "struct_declaration", "interface_declaration", "trait_declaration",
        "object_declaration", "enum_declaration",
    }
)
FUNCTION_TYPES = frozenset(
    {
        "function_definition", "function_declaration", "method_definition", "method",
        "singleton_method", "method_declaration", "local_function_statement",
        "arrow_function", "function_expression", "function", "generator_function_declaration",
        "constructor_declaration", "func_literal", "lambda",
    }
)
CALL_TYPES = frozenset(
    {
        "call", "call_expression", "invocation_expression", "method_invocation",
        "new_expression", "object_creation_expression", "function_call_expression",
        "member_call_expression", "scoped_call_expression", "nullsafe_member_call_expression",
        "annotation",  # Java: Retrofit's @GET("projects/{id}/rfis"), Feign's @RequestLine
    }
)
_DEFINITION_TYPES = frozenset(
    {
        "assignment", "assignment_expression", "variable_declarator", "const_spec",
        "var_spec", "short_var_declaration", "assignment_statement", "property_declaration",
        "public_field_definition", "field_definition", "const_element", "property_element",
        "pair", "default_parameter", "typed_default_parameter", "optional_parameter",
        "keyword_parameter", "assignment_pattern", "augmented_assignment",
        "enum_constant", "simple_parameter",
    }
)
_LITERAL_TEXT = frozenset(
    {"string_content", "string_fragment", "string_literal_content",
     "interpreted_string_literal_content", "raw_string_literal_content"}
)
_COMMENTS = frozenset({"comment", "line_comment", "block_comment", "documentation_comment"})
_INTERESTING = (
    CLASS_TYPES | FUNCTION_TYPES | CALL_TYPES | _DEFINITION_TYPES | _LITERAL_TEXT | _COMMENTS
    | {"composite_literal"}
)
_BASES = ("superclasses", "class_heritage", "base_list", "superclass", "base_clause")
_SELF_WORDS = frozenset({"self", "this", "$this", "cls", "Me", "@"})
_RETURN_TYPES = frozenset({"return_statement", "return"})


@dataclass(frozen=True)
class Scope:
    """Where a node sits: the file (index), the enclosing class and function (node ids)."""

    file: int
    cls: str | None
    func: int | None


@dataclass
class Definition:
    """``name`` is given ``value`` at ``line``; ``member``: a field/attribute of a class."""

    name: str
    value: Node
    scope: Scope
    line: int
    member: bool = False
    pair: bool = False
    receiver: str = ""


@dataclass
class Function:
    """A function or method and what the resolver needs of it."""

    name: str
    node: Node
    scope: Scope
    own_id: int
    params: list[str] = field(default_factory=list)
    defaults: dict[str, Node] = field(default_factory=dict)
    body: Node | None = None
    self_name: str | None = None
    rest: str | None = None
    """The name that collects the other keys: ``({ path, ...args })``, ``**kwargs``."""

    @cached_property
    def returns(self) -> list[Node]:
        """What the body returns, found when first asked (most functions never are)."""
        return _returns(self.body) if self.body is not None else []


@dataclass
class Call:
    """A call site: ``receiver.name(args…)``."""

    node: Node
    name: str
    receiver: str
    callee: str
    positional: list[Node]
    keywords: dict[str, Node]
    scope: Scope
    line: int
    spreads: list[str] = field(default_factory=list)
    """Names spread into an object argument: ``post({ method: "POST", ...args })``."""


@dataclass
class ClassInfo:
    """A class (or module) and the text of its base list."""

    name: str
    bases: str
    file: int


@dataclass
class FileFacts:
    """Everything collected from one file."""

    index: int
    path: str
    language: str
    test: bool
    root: Node
    definitions: list[Definition] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    classes: list[ClassInfo] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)
    procore: bool = False


def text_of(node: Node | None) -> str:
    """The source text of a node ('' for None)."""
    if node is None:
        return ""
    raw = node.text
    return raw.decode("utf-8", "replace") if raw else ""


def last_name(text: str) -> str:
    """``a.b->c::D`` → ``D``; sigils dropped (``$x`` → ``x``, ``@x`` → ``x``)."""
    for separator in ("::", "->", ".", "?."):
        text = text.rsplit(separator, 1)[-1]
    return text.strip().lstrip("$@&*").removesuffix("!").removesuffix("?")


def is_self(text: str) -> bool:
    """``self``, ``this``, ``$this``, ``@``: the object the method runs on."""
    return text.strip() in _SELF_WORDS


def _field(node: Node, *names: str) -> Node | None:
    for name in names:
        child = node.child_by_field_name(name)
        if child is not None:
            return child
    return None


def _first_identifier(node: Node | None) -> Node | None:
    """The first identifier-like leaf under ``node`` (breadth first)."""
    if node is None:
        return None
    queue = [node]
    while queue:
        current = queue.pop(0)
        if current.type in ("identifier", "name", "constant", "property_identifier",
                            "field_identifier", "variable_name", "instance_variable",
                            "shorthand_property_identifier_pattern", "type_identifier"):
            return current
        queue.extend(current.named_children)
    return None


class _Walker:
    """One pass over a tree; fills a :class:`FileFacts`."""

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts

    def run(self) -> None:
        stack: list[tuple[Node, str | None, int | None, str | None]] = [
            (self.facts.root, None, None, None)
        ]
        index = self.facts.index
        while stack:
            node, cls, func, self_name = stack.pop()
            kind = node.type
            if kind in _INTERESTING:
                if "comment" in kind:
                    continue
                scope = Scope(index, cls, func)
                if kind in CLASS_TYPES and node.child_by_field_name("name") is not None:
                    cls = self._class(node)
                elif kind in FUNCTION_TYPES:
                    function = self._function(node, scope)
                    func, self_name = function.own_id, function.self_name or self_name
                    cls = function.scope.cls  # a Go method's receiver type
                elif kind == "composite_literal":
                    self._composite(node, scope)
                elif kind in CALL_TYPES:
                    self._call(node, scope)
                if kind in _DEFINITION_TYPES:
                    self._definition(node, scope)
                elif kind in _LITERAL_TEXT:
                    self.facts.literals.append(text_of(node))
            if node.child_count:
                stack.extend((child, cls, func, self_name) for child in reversed(node.children))

    def _class(self, node: Node) -> str:
        name = last_name(text_of(node.child_by_field_name("name")))
        bases = ""
        for child in node.children:
            if child.type in _BASES or child.type == "argument_list":
                bases = text_of(child)
        if not bases:
            bases = text_of(_field(node, "superclass", "superclasses"))
        self.facts.classes.append(ClassInfo(name, bases, self.facts.index))
        return name

    def _function(self, node: Node, scope: Scope) -> Function:
        name_node = node.child_by_field_name("name")
        name = last_name(text_of(name_node)) if name_node is not None else ""
        if not name and node.parent is not None and node.parent.type in (
            "variable_declarator", "pair", "assignment_expression", "public_field_definition"
        ):
            target = _field(node.parent, "name", "key", "left")
            name = last_name(text_of(target))
        function = Function(name, node, scope, node.id)
        receiver = node.child_by_field_name("receiver")
        if receiver is not None:  # Go: func (c *Client) Get(...)
            first = _first_identifier(receiver)
            function.self_name = text_of(first) if first is not None else None
            types = re.findall(r"[A-Za-z_]\w*", text_of(receiver))
            if types:
                function.scope = Scope(scope.file, types[-1], scope.func)
        params = _field(node, "parameters", "parameter")
        if params is not None:
            self._params(params, function)
        body = _field(node, "body", "value")
        if body is not None:
            function.body = body
        if name:
            self.facts.functions.append(function)
        return function

    def _params(self, params: Node, function: Function) -> None:
        targets = [params] if params.type in ("identifier", "simple_identifier") else (
            params.named_children
        )
        for child in targets:
            if child.type == "parameter_declaration":  # Go: a, b string
                names = [n for n in child.named_children if n.type == "identifier"]
                function.params.extend(text_of(n) for n in names)
                continue
            if child.type == "assignment_pattern" and child.child_by_field_name(
                    "left") is not None and child.child_by_field_name("left").type == \
                    "object_pattern":
                child = child.child_by_field_name("left")  # ({ path } = {})
            if child.type == "object_pattern":  # JS: ({ path, versionPath = V, ...args })
                _object_params(child, function)
                continue
            if child.type in ("dictionary_splat_pattern", "rest_pattern"):
                first = _first_identifier(child)
                function.rest = text_of(first) if first is not None else None
                continue
            name_node = _field(child, "name", "left", "pattern")
            if name_node is None:
                name_node = _first_identifier(child)
            if name_node is None:
                continue
            name = last_name(text_of(name_node))
            if not name or (not function.params and name in ("self", "cls")):
                continue
            function.params.append(name)
            default = _field(child, "value", "default_value")
            if default is None and child.type == "assignment_pattern":
                default = child.child_by_field_name("right")
            if default is not None:
                function.defaults[name] = default

    def _call(self, node: Node, scope: Scope) -> None:
        callee_node = _field(node, "function", "constructor", "type", "method", "name")
        receiver_node = _field(node, "object", "receiver", "scope")
        if node.type == "call" and node.child_by_field_name("method") is not None:
            callee_node = node.child_by_field_name("method")  # Ruby: recv.method(args)
        callee = text_of(callee_node)
        receiver = text_of(receiver_node)
        if receiver_node is None and callee_node is not None and callee_node.type in (
            "attribute", "member_expression", "selector_expression", "member_access_expression",
            "scoped_identifier", "qualified_name",
        ):
            receiver = text_of(_field(callee_node, "object", "operand", "expression", "scope"))
        name = last_name(callee)
        if not name:
            return
        arguments = node.child_by_field_name("arguments")
        positional, keywords = _arguments(arguments)
        full = f"{receiver}.{callee}" if receiver and receiver not in callee else callee
        line = node.start_point[0] + 1
        spreads = [
            text_of(inner) for arg in positional if arg.type == "object"
            for item in arg.named_children if item.type == "spread_element"
            for inner in item.named_children[:1] if inner.type == "identifier"
        ]
        self.facts.calls.append(
            Call(node, name, receiver, full, positional, keywords, scope, line, spreads)
        )

    def _composite(self, node: Node, scope: Scope) -> None:
        """Go: ``&Client{baseURL: BaseURL + "/v1.0"}`` sets the field of that struct type."""
        type_node = node.child_by_field_name("type")
        body = node.child_by_field_name("body")
        if type_node is None or body is None:
            return
        owner = Scope(scope.file, last_name(text_of(type_node)), scope.func)
        for element in body.named_children:
            parts = element.named_children
            if element.type == "keyed_element" and len(parts) >= 2:
                key = last_name(text_of(parts[0]))
                value = parts[-1].named_children[0] if parts[-1].type == "literal_element" \
                    and parts[-1].named_children else parts[-1]
                self.facts.definitions.append(Definition(
                    key, value, owner, element.start_point[0] + 1, member=True))

    def _definition(self, node: Node, scope: Scope) -> None:
        kind = node.type
        if kind == "simple_parameter":
            return  # PHP parameters: defaults are read with the function
        if kind in ("default_parameter", "typed_default_parameter", "optional_parameter",
                    "keyword_parameter", "assignment_pattern"):
            return  # parameter defaults are read with the function
        target = _field(node, "left", "name", "key")
        value = _field(node, "right", "value", "default_value")
        if kind == "property_declaration" and value is None:
            value = _property_value(node)
        if kind == "const_element" and target is None and len(node.named_children) >= 2:
            target, value = node.named_children[0], node.named_children[-1]
        if kind == "variable_declarator" and value is None:
            named = node.named_children
            value = named[-1] if len(named) >= 2 else None
        if target is None or value is None:
            return
        if kind in ("const_spec", "var_spec", "short_var_declaration", "assignment_statement"):
            self._go_definitions(node, target, value, scope)
            return
        if value.type == "arrow_expression_clause":
            value = value.named_children[0] if value.named_children else None
            if value is None:
                return
        target_text = text_of(target)
        receiver, _, _ = target_text.rpartition(".")
        if not receiver and "->" in target_text:
            receiver = target_text.rsplit("->", 1)[0]
        member = (
            is_self(receiver)
            or target.type == "instance_variable"
            or kind in ("property_declaration", "public_field_definition", "field_definition",
                        "property_element")
            or (scope.func is None and scope.cls is not None)
        )
        self.facts.definitions.append(
            Definition(
                last_name(target_text), value, scope, node.start_point[0] + 1, member=member,
                pair=kind == "pair", receiver=receiver if not is_self(receiver) else "",
            )
        )

    def _go_definitions(self, node: Node, target: Node, value: Node, scope: Scope) -> None:
        names = [target] if target.type != "expression_list" else target.named_children
        if node.type in ("const_spec", "var_spec"):
            names = [c for c in node.named_children if c.type == "identifier"]
        values = value.named_children if value.type == "expression_list" else [value]
        for name_node, value_node in zip(names, values, strict=False):
            self.facts.definitions.append(
                Definition(last_name(text_of(name_node)), value_node, scope,
                           node.start_point[0] + 1)
            )


def _object_params(pattern: Node, function: Function) -> None:
    for item in pattern.named_children:
        if item.type == "shorthand_property_identifier_pattern":
            function.params.append(text_of(item))
        elif item.type == "object_assignment_pattern":
            left = item.child_by_field_name("left")
            right = item.child_by_field_name("right")
            if left is not None:
                function.params.append(text_of(left))
                if right is not None:
                    function.defaults[text_of(left)] = right
        elif item.type == "pair_pattern":
            key = item.child_by_field_name("key")
            if key is not None:
                function.params.append(text_of(key))
        elif item.type == "rest_pattern":
            first = _first_identifier(item)
            function.rest = text_of(first) if first is not None else None


def _property_value(node: Node) -> Node | None:
    """A C# property's value: ``=> expr``, ``{ get => expr; }``, ``{ get { return expr; } }``,
    or an initializer ``= expr``."""
    for child in node.named_children:
        if child.type == "arrow_expression_clause" and child.named_children:
            return child.named_children[0]
    for child in node.named_children:
        if child.type == "accessor_list":
            for accessor in child.named_children:
                for part in accessor.named_children:
                    if part.type == "arrow_expression_clause" and part.named_children:
                        return part.named_children[0]
                    if part.type == "block":
                        found = _returns(part)
                        if found:
                            return found[0]
    children = node.children
    for index, child in enumerate(children):
        if child.type == "=" and index + 1 < len(children):
            return children[index + 1]
    return None


def _returns(body: Node) -> list[Node]:
    """Expressions a function body returns (explicit returns; the last expression in Ruby;
    the body itself for an expression-bodied arrow function)."""
    if body.type not in ("block", "statement_block", "body_statement", "compound_statement",
                         "declaration_list", "arrow_expression_clause"):
        return [body]  # JS arrow function with an expression body
    if body.type == "arrow_expression_clause":
        return list(body.named_children[:1])
    found: list[Node] = []
    stack = [body]
    while stack and len(found) < 4:
        node = stack.pop()
        if node.type in _RETURN_TYPES:
            found.extend(c for c in node.named_children if c.type != "expression_list")
            found.extend(
                grand for c in node.named_children if c.type == "expression_list"
                for grand in c.named_children[:1]
            )
            continue
        if node.type in FUNCTION_TYPES or "comment" in node.type:
            continue
        stack.extend(reversed(node.named_children))
    if not found and body.type == "body_statement" and body.named_children:
        last = body.named_children[-1]
        if "comment" not in last.type:
            found.append(last)
    return found


def _arguments(arguments: Node | None) -> tuple[list[Node], dict[str, Node]]:
    """Positional argument nodes and keyword/option arguments by name."""
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    if arguments is None:
        return positional, keywords
    for child in arguments.named_children:
        if "comment" in child.type:
            continue
        if child.type in ("keyword_argument", "pair", "named_argument"):
            key = _field(child, "name", "key")
            value = _field(child, "value")
            if key is not None and value is not None:
                keywords[last_name(text_of(key)).strip(":'\"")] = value
            continue
        if child.type == "argument":  # C#, PHP wrap each argument
            name = _field(child, "name")
            inner = [c for c in child.named_children if c is not name and c.type != "name_colon"]
            if name is None:
                colon = next((c for c in child.named_children if c.type == "name_colon"), None)
                name = colon.named_children[0] if colon is not None and colon.named_children \
                    else None
            if not inner:
                continue
            if name is not None:
                keywords[last_name(text_of(name))] = inner[-1]
                continue
            child = inner[-1]
        positional.append(child)
        for key, value in object_keywords(child).items():
            keywords.setdefault(key, value)
    return positional, keywords


OBJECT_TYPES = frozenset({"object", "hash", "dictionary", "anonymous_object_creation_expression"})


def object_keywords(node: Node) -> dict[str, Node]:
    """The keys of an object literal (``{ base: "/me", id }``) and their value nodes; empty
    for anything that is not an object literal."""
    keywords: dict[str, Node] = {}
    if node.type not in OBJECT_TYPES:
        return keywords
    for pair in node.named_children:
        key = _field(pair, "key", "name")
        value = _field(pair, "value")
        if pair.type == "shorthand_property_identifier":
            keywords.setdefault(text_of(pair), pair)
        elif key is not None and value is not None:
            keywords.setdefault(last_name(text_of(key)).strip(":'\""), value)
    return keywords


def collect(index: int, path: str, language: str, test: bool, root: Node) -> FileFacts:
    """Walk one syntax tree."""
    facts = FileFacts(index, path, language, test, root)
    _Walker(facts).run()
    return facts
