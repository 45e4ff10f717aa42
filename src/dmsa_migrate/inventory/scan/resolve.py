"""Compute the string value of an expression from the definitions across the whole tree.

``BaseURL + "/v1.0/companies"`` with ``BaseURL`` a Go constant in another file,
``f"{self.endpoint}/{project_id}/rfis"`` with ``self.endpoint`` set in ``__init__``, a C#
``Resource => $"/projects/{ProjectId}/rfis"`` read through ``request.Resource``, Ruby's
``"/rest/#{api_version}/#{endpoint}"``: each is evaluated to one or more
:class:`~.values.Alt` alternatives. Names are looked up the way the languages scope them,
closest first: a parameter or local of the function, the class (``self.x``, ``@x``,
``this.x``) and its bases, the file, then the whole tree. A member read on another object
(``request.Resource``) that several classes define fans out to each class, each alternative
anchored at its definition.

Definitions in test and mock files never feed the integration's own values.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dmsa_migrate.inventory.scan.call_values import CallValues
from dmsa_migrate.inventory.scan.index import Context, Index, same_family
from dmsa_migrate.inventory.scan.kinds import MEMBERS as _MEMBERS
from dmsa_migrate.inventory.scan.kinds import NAMES as _NAMES
from dmsa_migrate.inventory.scan.kinds import STRING_TYPES as _STRING_TYPES
from dmsa_migrate.inventory.scan.kinds import only_holes as _only_holes
from dmsa_migrate.inventory.scan.syntax import (
    CALL_TYPES,
    Definition,
    Function,
    Node,
    Scope,
    is_self,
    last_name,
    text_of,
)
from dmsa_migrate.inventory.scan.values import (
    MAX_ALTERNATIVES,
    Alt,
    Anchor,
    Hole,
    fill_format,
    hole,
    join,
    lit,
)

MAX_DEPTH = 40
"""How many steps one value may take (each name, operator or call is one); past it the
value is a hole, so hostile or generated code cannot exhaust the stack."""
_FRAGMENTS = frozenset(
    {
        "string_content", "string_fragment", "interpreted_string_literal_content",
        "string_literal_content", "raw_string_literal_content", "heredoc_body",
        "nowdoc_body", "string_value", "multiline_string_fragment", "heredoc_content",
    }
)
_SKIPPED_IN_STRINGS = frozenset(
    {"string_start", "string_end", "interpolation_start", "interpolation_brace",
     "interpolation_quote", "heredoc_start", "heredoc_end", "heredoc_beginning"}
)
_WRAPPED = frozenset(
    {
        "parenthesized_expression", "argument", "expression_statement", "parenthesized",
        "interpolation", "template_substitution", "expression_list", "arrow_expression_clause",
        "await_expression", "as_expression", "non_null_expression", "type_assertion",
        "cast_expression", "satisfies_expression", "begin_block", "block_argument",
        "equals_value_clause",
    }
)
_BINARY = frozenset({"binary_operator", "binary_expression", "binary"})
_ENVIRONMENT = re.compile(
    r"(?:^|\.)(?:ENV|environ|env|getenv|GetEnvironmentVariable|Getenv|config|settings)\b"
)
_HTTP_METHOD_MEMBER = re.compile(
    r"(?:[\w.]*\.)?(?:Method|HttpMethod|HttpMethods|Methods|RequestMethod)\.?"
    r"(Get|Post|Put|Patch|Delete)", re.IGNORECASE,
)


class Resolver(CallValues):
    """Evaluates expressions to :class:`Alt` lists; definitions are read once and cached."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._cache: dict[tuple[int, int, str | None], list[Alt]] = {}
        self._active: set[tuple[int, int]] = set()
        self._subscripts: dict[tuple[int, int, str | None], list[Alt]] = {}
        self._active_subscripts: set[tuple[int, int, str | None]] = set()

    # --- entry points -------------------------------------------------------------------

    def value(self, node: Node | None, ctx: Context) -> list[Alt]:
        """The alternatives ``node`` may evaluate to (a hole when unknown)."""
        if node is None:
            return hole("none")
        if ctx.depth > MAX_DEPTH:
            return hole("deep")
        kind = node.type
        if kind in _STRING_TYPES:
            return self._string(node, ctx)
        if kind in _WRAPPED:
            inner = [c for c in node.named_children
                     if "comment" not in c.type and c.type not in _SKIPPED_IN_STRINGS]
            return self.value(inner[0], ctx.deeper()) if inner else hole(kind)
        if kind in _BINARY:
            return self._binary(node, ctx)
        if kind == "concatenated_string":
            return join([self.value(child, ctx.deeper()) for child in node.named_children])
        if kind in ("conditional_expression", "ternary_expression", "conditional"):
            return self._conditional(node, ctx)
        if kind in _NAMES:
            return self._name(node, ctx)
        if kind in _MEMBERS or (kind == "call" and node.child_by_field_name("arguments") is None
                                and node.child_by_field_name("receiver") is not None):
            return self._member(node, ctx)
        if kind in _SUBSCRIPTS:
            return self._subscript(node, ctx)
        if kind in CALL_TYPES:
            return self._call(node, ctx)
        if kind in ("lambda_expression", "lambda", "arrow_function") and \
                node.child_by_field_name("body") is not None:
            return self.value(node.child_by_field_name("body"), ctx.deeper())
        if kind in ("simple_symbol", "symbol"):
            return lit(text_of(node).lstrip(":"))
        if kind == "bare_string":  # a word of Ruby's %w[rfis tasks]
            return lit(text_of(node))
        if kind in ("integer", "int_literal", "integer_literal", "decimal_integer_literal",
                    "number", "float"):
            return hole("number")
        return hole(kind)

    def definition_value(self, definition: Definition, self_cls: str | None = None,
                         depth: int = 0) -> list[Alt]:
        """A definition's value, read in its own scope (cached). ``depth`` carries on from
        the reader, so a chain of a thousand constants stops at :data:`MAX_DEPTH` instead
        of the interpreter's stack."""
        facts = self.index.files[definition.scope.file]
        key = (definition.scope.file, definition.value.id, self_cls)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        active = (definition.scope.file, definition.value.id)
        if active in self._active:
            return hole(definition.name)
        self._active.add(active)
        try:
            ctx = Context(facts, definition.scope, self_cls=self_cls or definition.scope.cls,
                          depth=depth + 1)
            result = self.value(definition.value, ctx)
        finally:
            self._active.discard(active)
        via = (definition.scope.file, definition.line)
        result = [alt.tagged("constant", via) for alt in result]
        if not any(isinstance(p, Hole) and p.name == "deep" for a in result for p in a.parts):
            self._cache[key] = result  # a value cut short by the depth limit is not kept
        return result

    # --- shapes -------------------------------------------------------------------------

    def _string(self, node: Node, ctx: Context) -> list[Alt]:
        named = [c for c in node.named_children if c.type not in _SKIPPED_IN_STRINGS]
        if not named:
            return lit(_strip_quotes(text_of(node)))
        pieces: list[list[Alt]] = []
        for child in named:
            if child.type in _FRAGMENTS:
                pieces.append(lit(text_of(child)))
            elif child.type == "escape_sequence":
                escaped = text_of(child)
                pieces.append(lit(escaped[1:] if escaped[1:2] in "/\"'`$#{}" else ""))
            elif child.type in ("format_specifier", "type_conversion", "format_clause"):
                continue
            else:
                pieces.append(self.value(child, ctx.deeper()))
        return join(pieces) or lit("")

    def _binary(self, node: Node, ctx: Context) -> list[Alt]:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        op = text_of(operator) if operator is not None else _operator_between(node, left, right)
        if op in ("+", "."):
            return join([self.value(left, ctx.deeper()), self.value(right, ctx.deeper())])
        if op == "%" and left is not None and left.type in _STRING_TYPES:
            items = right.named_children if right is not None and right.type in (
                "tuple", "array", "list", "parenthesized_expression") else [right]
            values = [self.value(item, ctx.deeper()) for item in items]
            return fill_format(self.value(left, ctx.deeper()), values)
        if op in ("||", "or", "??", "?:"):
            first = self.value(left, ctx.deeper())
            if any(alt.literal() for alt in first):
                return first
            return self.value(right, ctx.deeper())
        return hole("expression")

    def _conditional(self, node: Node, ctx: Context) -> list[Alt]:
        branches = node.named_children[1:] if len(node.named_children) >= 3 else []
        out: list[Alt] = []
        for branch in branches[:2]:
            out.extend(self.value(branch, ctx.deeper()))
        return out[:MAX_ALTERNATIVES] or hole("conditional")

    def _name(self, node: Node, ctx: Context) -> list[Alt]:
        raw = text_of(node)
        name = last_name(raw)
        if node.type in ("instance_variable", "class_variable"):
            return self._class_member(name, ctx)
        if raw.startswith("$") and name == "this":
            return hole("this")
        bound = ctx.bound(name)
        if bound is not None:
            return bound
        looped = self._loop_values(node, name, ctx)  # first: a loop's variable is also a
        if looped is not None:  # local (C#, Go) and a block's a parameter (JS, Ruby)
            return looped
        function = self.index.function(ctx.facts, ctx.scope.func)
        local = self._locals(name, ctx)
        if local is not None:
            return local
        if function is not None and name in function.params:
            return self._parameter(function, name, ctx)
        return self._wider(name, ctx)

    def _loop_values(self, node: Node, name: str, ctx: Context) -> list[Alt] | None:
        """A loop variable over a literal list (or a name bound to one) takes each element
        in turn: ``for tool in ("rfis", "submittals")``, ``for (const t of [...])``,
        ``foreach (var t in new[] {...})``, ``for _, t := range []string{...}``, and the
        parameter of an iterator block, ``%w[rfis tasks].each do |t|``,
        ``["rfis"].forEach((t) => …)``. None when ``name`` is no such variable."""
        parent = node.parent
        while parent is not None:
            if parent.type in _LOOPS:
                left, right = _loop_parts(parent)
                if (left is not None and right is not None and text_of(left) == name
                        and not _within(node, right)):  # the list itself is read outside
                    return self._elements(right, ctx)
            elif parent.type in _BLOCKS:
                iterated = _iterated_by(parent, name)
                if iterated is not None:
                    return self._elements(iterated, ctx)
            if parent.type in _FUNCTION_NODES:
                return None
            parent = parent.parent
        return None

    def _elements(self, node: Node, ctx: Context) -> list[Alt] | None:
        """Each element of a list/tuple/array literal (or of the one a name is bound to)."""
        if node.type in _NAMES:
            bound = [found for d in self._visible(last_name(text_of(node)), ctx,
                                                  members=False)
                     if (found := _literal_inside(d.value, _SEQUENCES)) is not None]
            if not bound:
                return None
            node = bound[0]
        found = _literal_inside(node, _SEQUENCES)
        if found is None:
            return None
        values = [alt for element in _sequence_items(found)
                  for alt in self.value(element, ctx.deeper())]
        return _dedupe(values) or None

    def _parameter(self, function: Function, name: str, ctx: Context) -> list[Alt]:
        if ctx.reading == function.own_id and ctx.env is None:
            return hole(name, param=True)
        default = function.defaults.get(name)
        if default is not None:
            return self.value(default, replace(ctx, env=None, reading=None).deeper())
        return hole(name)

    def _locals(self, name: str, ctx: Context) -> list[Alt] | None:
        if ctx.scope.func is None:
            return None
        found = [
            d for d in self.index.definitions.get(name, [])
            if d.scope.func == ctx.scope.func and d.scope.file == ctx.facts.index
            and not d.pair and (d.scope.file, d.value.id) not in self._active
        ]
        if not found:
            return None
        out: list[Alt] = []
        for definition in found[-2:]:
            active = (definition.scope.file, definition.value.id)
            self._active.add(active)
            try:
                out.extend(self.value(definition.value, ctx.deeper()))
            finally:
                self._active.discard(active)
        if _only_holes(out) and not any(alt.has_param for alt in out):
            return hole(name)  # name the variable in a blind spot, not what it was made of
        return _dedupe(out)

    def _wider(self, name: str, ctx: Context) -> list[Alt]:
        """A bare name that is not local: the class, the file, then the whole tree."""
        if ctx.self_cls is not None or ctx.scope.cls is not None:
            member = self._class_member(name, ctx, fan_out=False)
            if not _only_holes(member):
                return member
        candidates = self._visible(name, ctx, members=False)
        same_file = [d for d in candidates if d.scope.file == ctx.facts.index]
        chosen = same_file or candidates
        if chosen:
            values = _dedupe([a for d in chosen[:4]
                              for a in self.definition_value(d, None, ctx.depth)])
            if len({alt.parts for alt in values}) <= 4:
                return values
        getter = self._getter(name, ctx, cls=None)
        return getter if getter is not None else hole(name)

    def _visible(self, name: str, ctx: Context, *, members: bool) -> list[Definition]:
        """Definitions the current file may read: module-level ones (and class-level
        constants), never from tests for non-test code."""
        out = []
        for definition in self.index.definitions.get(name, []):
            facts = self.index.files[definition.scope.file]
            if (facts.test and not ctx.facts.test) or not same_family(facts, ctx.facts):
                continue
            if definition.pair and not members:
                continue
            if definition.scope.func is not None and not (members and definition.member):
                continue
            out.append(definition)
        return out

    def _member(self, node: Node, ctx: Context) -> list[Alt]:
        receiver_node = (
            node.child_by_field_name("object") or node.child_by_field_name("operand")
            or node.child_by_field_name("expression") or node.child_by_field_name("scope")
            or node.child_by_field_name("receiver")
        )
        name_node = (
            node.child_by_field_name("attribute") or node.child_by_field_name("property")
            or node.child_by_field_name("field") or node.child_by_field_name("name")
            or node.child_by_field_name("method")
        )
        receiver = text_of(receiver_node)
        name = last_name(text_of(name_node)) if name_node is not None else last_name(
            text_of(node))
        verb = _HTTP_METHOD_MEMBER.fullmatch(text_of(node))
        if verb is not None:
            return lit(verb.group(1).upper())  # http.MethodPost, HttpMethod.Post, Method.POST
        if _ENVIRONMENT.search(receiver) or receiver in ("process.env", "os.environ"):
            return hole(name)
        if is_self(receiver) or (ctx.self_name is not None and receiver == ctx.self_name):
            return self._class_member(name, ctx)
        if receiver_node is not None and receiver_node.type in _MEMBERS and is_self(
                last_name(text_of(receiver_node.child_by_field_name("object")))):
            pass  # self.config.base: read as a member of any class below
        return self._qualified(last_name(receiver), name, ctx)

    def _class_member(self, name: str, ctx: Context, fan_out: bool = True) -> list[Alt]:
        cls = ctx.self_cls or ctx.scope.cls
        if cls is None:
            return self._wider(name, replace(ctx, self_cls=None)) if fan_out else hole(name)
        if fan_out and cls == ctx.scope.cls:
            # a base-class method reading self.path that its subclasses set: one each
            fanned = self._fan_out(name, sorted(self._descendants(cls)), ctx)
            if fanned:
                own = self._members_of(name, cls, ctx) or []
                return [alt for alt in own if any(p for p in alt.parts if p)] + fanned
        seen: set[str] = set()
        queue = [cls]
        while queue:
            current = queue.pop(0)
            if current in seen or len(seen) > 6:
                continue
            seen.add(current)
            found = self._members_of(name, current, ctx)
            if found is not None:
                return found
            queue.extend(self.index.bases_of(current))
        if fan_out:
            fanned = self._fan_out(name, sorted(self._descendants(cls)), ctx)
            if fanned:
                return fanned
        return hole(name)

    def _members_of(self, name: str, cls: str, ctx: Context) -> list[Alt] | None:
        definitions = [
            d for d in self.index.definitions.get(name, [])
            if d.scope.cls == cls and (d.member or d.scope.func is None) and not d.pair
            and not (self.index.files[d.scope.file].test and not ctx.facts.test)
            and same_family(self.index.files[d.scope.file], ctx.facts)
        ]
        if definitions:
            values = _dedupe([a for d in definitions[:4]
                              for a in self.definition_value(d, cls, ctx.depth)])
            useful = [alt for alt in values if not _only_holes([alt])]
            if useful:
                return useful
        return self._getter(name, ctx, cls=cls)

    def _getter(self, name: str, ctx: Context, cls: str | None) -> list[Alt] | None:
        """A method with no parameters that returns a value: ``def api_version; "v1.0"; end``."""
        for function in self.index.functions.get(name, []):
            if function.params or not function.returns:
                continue
            if not same_family(self.index.files[function.scope.file], ctx.facts):
                continue
            if cls is not None and function.scope.cls != cls:
                continue
            if self.index.files[function.scope.file].test and not ctx.facts.test:
                continue
            facts = self.index.files[function.scope.file]
            inner = Context(facts, Scope(facts.index, function.scope.cls, function.own_id),
                            self_cls=ctx.self_cls if cls else function.scope.cls,
                            depth=ctx.depth + 1)
            out = [a for node in function.returns[:2] for a in self.value(node, inner)]
            if not _only_holes(out):
                return out
        return None

    def _descendants(self, cls: str) -> set[str]:
        found: set[str] = set()
        queue = [cls]
        while queue and len(found) < 200:
            for sub in self.index.subclasses.get(queue.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    queue.append(sub)
        return found

    def _fan_out(self, name: str, classes: list[str], ctx: Context) -> list[Alt]:
        """One alternative per class defining ``name``, anchored at its definition."""
        out: list[Alt] = []
        for cls in classes:
            for definition in self.index.definitions.get(name, []):
                if definition.scope.cls != cls or definition.pair:
                    continue
                facts = self.index.files[definition.scope.file]
                if (facts.test and not ctx.facts.test) or not same_family(facts, ctx.facts):
                    continue
                anchor = Anchor(definition.scope.file, definition.line, cls)
                for alt in self.definition_value(definition, cls, ctx.depth):
                    out.append(Alt(alt.parts, alt.how | {"class-member"}, anchor, alt.via))
                break
            if len(out) >= MAX_ALTERNATIVES:
                break
        return out

    def _qualified(self, receiver: str, name: str, ctx: Context) -> list[Alt]:
        """``Constants.BASE_URL``, ``config.API_BASE``, ``request.Resource``."""
        candidates = self._visible(name, ctx, members=True)
        owned = [
            d for d in candidates
            if d.scope.cls == receiver or d.receiver == receiver
            or _stem(self.index.files[d.scope.file].path) == receiver.lower()
        ]
        if owned:
            return _dedupe([a for d in owned[:4]
                            for a in self.definition_value(d, None, ctx.depth)])
        classes = sorted({d.scope.cls for d in candidates if d.scope.cls is not None})
        if len(classes) > 1:
            return self._fan_out(name, classes, ctx) or hole(name)
        if candidates:
            values = _dedupe([a for d in candidates[:4]
                              for a in self.definition_value(d, None, ctx.depth)])
            if len({alt.parts for alt in values}) <= 4:
                return values
        return hole(name)


    def _subscript(self, node: Node, ctx: Context) -> list[Alt]:
        """``ENDPOINTS["rfis"]``, ``PATHS[:rfis]``, ``m["rfis"]``: the value of that key of a
        mapping literal the name is bound to; with a computed key (``ENDPOINTS[name]``),
        every value of the mapping (one of them is used)."""
        container, key = _subscript_parts(node)
        mapping = self._mapping_literal(container, ctx) if container is not None else None
        if mapping is None or key is None:
            return hole("subscript")
        wanted = _key_name(key) if key.type in _KEY_LITERALS else None
        reading = (ctx.facts.index, mapping.id, wanted)
        cached = self._subscripts.get(reading)
        if cached is not None:
            return cached
        if reading in self._active_subscripts:  # a mapping whose values read itself
            return hole("subscript")
        self._active_subscripts.add(reading)
        try:
            values: list[Alt] = []
            for pair_key, pair_value in _pairs(mapping):
                if wanted is None or _key_name(pair_key) == wanted:
                    values.extend(self.value(pair_value, ctx.deeper()))
                    if len(values) >= MAX_ALTERNATIVES:
                        break
        finally:
            self._active_subscripts.discard(reading)
        result = _dedupe(values) or hole("subscript")
        if ctx.env is None:  # values read with a wrapper's arguments bound are that call's
            self._subscripts[reading] = result
        return result

    def _mapping_literal(self, node: Node, ctx: Context) -> Node | None:
        """The dict/object/hash literal ``node`` is, or the one its name is bound to (the
        function's own binding first, then the file's and the tree's)."""
        if node.type in _MAPPINGS:
            return node
        if node.type not in _NAMES:
            return None
        name = last_name(text_of(node))
        own = [d for d in self.index.definitions.get(name, [])
               if d.scope.file == ctx.facts.index and d.scope.func == ctx.scope.func
               and not d.pair]
        for definition in [*own, *self._visible(name, ctx, members=False)]:
            found = _literal_inside(definition.value, _MAPPINGS)
            if found is not None:
                return found
        return None


_LOOPS = frozenset({"for_statement", "for_in_statement", "foreach_statement", "range_clause"})
_BLOCKS = frozenset({"arrow_function", "function_expression", "do_block", "block", "lambda"})
_ITERATORS = frozenset({"each", "forEach", "map", "flat_map", "flatMap", "each_with_index",
                        "collect", "filter_map"})
_SEQUENCES = frozenset({"list", "tuple", "array", "set", "string_array",
                        "implicit_array_creation_expression", "array_creation_expression",
                        "composite_literal"})
_FUNCTION_NODES = frozenset({
    "function_definition", "function_declaration", "method_definition", "arrow_function",
    "function_expression", "method_declaration", "method", "lambda", "module", "program",
    "source_file", "compilation_unit",
})


def _within(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def _loop_parts(loop: Node) -> tuple[Node | None, Node | None]:
    """A loop's variable and what it runs over (Go's ``_, tool`` gives ``tool``)."""
    if loop.type == "for_statement" and loop.child_by_field_name("left") is None:
        loop = next((c for c in loop.named_children if c.type == "range_clause"), loop)
    left, right = loop.child_by_field_name("left"), loop.child_by_field_name("right")
    if left is not None and left.type == "expression_list" and left.named_children:
        left = left.named_children[-1]
    return left, right


def _iterated_by(block: Node, name: str) -> Node | None:
    """The receiver of ``X.each``/``X.forEach`` when ``block`` is its block (or callback)
    and ``name`` the block's first parameter; else None."""
    parameters = block.child_by_field_name("parameters") or block.child_by_field_name(
        "parameter")
    first = next((p for p in parameters.named_children), None) if (
        parameters is not None and parameters.named_children) else parameters
    if first is None or text_of(first) != name:
        return None
    call = block.parent
    if call is not None and call.type in ("arguments", "argument_list"):
        call = call.parent
    if call is None or call.type not in CALL_TYPES:
        return None
    callee = call.child_by_field_name("function")
    if callee is not None and callee.type in _MEMBERS:  # JS: [..].forEach(t => …)
        method = callee.child_by_field_name("property")
        receiver = callee.child_by_field_name("object")
    else:  # Ruby: [..].each do |t| … end
        method = call.child_by_field_name("method")
        receiver = call.child_by_field_name("receiver")
    if method is None or receiver is None or text_of(method) not in _ITERATORS:
        return None
    return receiver


def _sequence_items(sequence: Node) -> list[Node]:
    """The element nodes of a list literal (C#'s and Go's inside their initializer)."""
    for child in sequence.named_children:
        if child.type in ("initializer_expression", "literal_value"):
            sequence = child
            break
    items = []
    for element in sequence.named_children:
        if "comment" in element.type or element.type in ("slice_type", "array_type"):
            continue
        if element.type == "literal_element" and element.named_children:
            element = element.named_children[0]
        items.append(element)
    return items
_SUBSCRIPTS = frozenset({
    "subscript", "subscript_expression", "element_reference", "index_expression",
    "element_access_expression",
})
_MAPPINGS = frozenset({"dictionary", "object", "hash", "composite_literal",
                       "array_creation_expression"})
_KEY_LITERALS = _STRING_TYPES | {"simple_symbol", "symbol", "hash_key_symbol",
                                 "property_identifier", "bracketed_argument_list", "argument"}


def _literal_inside(node: Node, kinds: frozenset[str]) -> Node | None:
    """``node`` when it is a literal of ``kinds``, or the literal a freezing wrapper holds:
    ``{...}.freeze`` and ``%w[…].freeze`` (Ruby), ``Object.freeze({...})`` (JS),
    ``MappingProxyType({...})``, ``tuple([...])`` (Python)."""
    if node.type in kinds:
        return node
    if node.type not in CALL_TYPES:
        return None
    receiver = node.child_by_field_name("receiver") or node.child_by_field_name("object")
    if receiver is not None and receiver.type in kinds:
        return receiver
    arguments = node.child_by_field_name("arguments")
    first = next((child for child in arguments.named_children
                  if "comment" not in child.type), None) if arguments is not None else None
    return first if first is not None and first.type in kinds else None


def _subscript_parts(node: Node) -> tuple[Node | None, Node | None]:
    """The container and the key of a subscript, in any of the grammars."""
    container = (node.child_by_field_name("value") or node.child_by_field_name("object")
                 or node.child_by_field_name("operand")
                 or node.child_by_field_name("expression"))
    key = (node.child_by_field_name("subscript") or node.child_by_field_name("index"))
    named = [child for child in node.named_children if "comment" not in child.type]
    if container is None and named:
        container = named[0]
    if key is None:
        key = next((child for child in named if child != container), None)
    return container, key


def _pairs(mapping: Node) -> list[tuple[Node, Node]]:
    """``(key, value)`` nodes of a mapping literal's entries (Python, JS, Ruby, Go, PHP)."""
    out = []
    for entry in mapping.named_children:
        key = entry.child_by_field_name("key")
        value = entry.child_by_field_name("value")
        if key is None or value is None:
            parts = [child for child in entry.named_children if "comment" not in child.type]
            if len(parts) != 2:
                continue
            key, value = parts
        out.append((key, value))
    return out


def _key_name(node: Node) -> str:
    """A key as written, without its quotes or symbol marks (``"rfis"``, ``:rfis``,
    ``rfis:`` and ``rfis`` are one key)."""
    while node.type in ("bracketed_argument_list", "argument", "literal_element") and (
            node.named_children):
        node = node.named_children[0]
    return _strip_quotes(text_of(node).strip()).strip(":")


def _operator_between(node: Node, left: Node | None, right: Node | None) -> str:
    for child in node.children:
        if child is not left and child is not right and not child.is_named:
            return text_of(child)
    return ""


def _strip_quotes(text: str) -> str:
    match = re.fullmatch(r"""[@$a-zA-Z]{0,3}(["'`]{1,3})(.*)\1""", text, re.DOTALL)
    return match.group(2) if match else text


def _dedupe(alts: list[Alt]) -> list[Alt]:
    seen: dict[tuple[object, ...], Alt] = {}
    for alt in alts:
        seen.setdefault(alt.parts, alt)
    return list(seen.values())[:MAX_ALTERNATIVES]


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.split(".", 1)[0].lower()
