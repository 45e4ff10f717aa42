"""The value of a call: format strings, path joins, URL constructors, tree functions.

``fmt.Sprintf(GetProjectsURL, id)``, ``"{}/x".format(base)``, ``urljoin(API, "projects")``,
``URI.create(url)``, and a tree function that builds a URL (``self._url(path)``) with its
parameters bound to this call's arguments — options spread through objects
(``post({...args})``) included. Mixed into :class:`~.resolve.Resolver`.
"""

from __future__ import annotations

from dmsa_migrate.inventory.scan.index import Context, Index, same_family
from dmsa_migrate.inventory.scan.kinds import MEMBERS, STRING_TYPES, only_holes
from dmsa_migrate.inventory.scan.syntax import (
    Call,
    Function,
    Node,
    Scope,
    is_self,
    last_name,
    text_of,
)
from dmsa_migrate.inventory.scan.values import Alt, Hole, fill_format, hole, join, join_path

_FORMATTERS = frozenset({"format", "Format", "Sprintf", "sprintf", "formatted", "printf"})
_JOINERS = frozenset({"join", "urljoin", "Join", "JoinPath", "Combine", "join_path", "joinpath"})
_PASS_THROUGH = frozenset(
    {
        "URI", "parse", "create", "Uri", "URL", "Parse", "encodeURI", "str", "String",
        "valueOf", "toString", "to_s", "strip", "rstrip", "lstrip", "trim", "TrimEnd",
        "TrimStart", "Trim", "chomp", "freeze", "dup", "ToString", "removesuffix", "url",
        "replace_query", "build", "toURI", "with_query", "gsub", "sub", "replace", "concat",
        "Uri.parse", "uri", "NewRequest", "path", "toUriString", "expand",
    }
)


class CallValues:
    """What calls evaluate to; needs the resolver's :meth:`value` and :attr:`index`."""

    index: Index

    def value(self, node: Node | None, ctx: Context) -> list[Alt]:
        raise NotImplementedError

    def _call(self, node: Node, ctx: Context) -> list[Alt]:
        call = self.index.calls_by_node.get((ctx.facts.index, node.id))
        if call is None:
            return hole("call")
        name = call.name
        receiver_node = _receiver_node(node)
        if name in _FORMATTERS:
            return self._format(call, receiver_node, ctx)
        if name in _JOINERS:
            return self._join(call, receiver_node, ctx)
        if name in ("URL", "Uri") and len(call.positional) == 2:
            return join_path([self.value(call.positional[1], ctx.deeper()),
                              self.value(call.positional[0], ctx.deeper())])
        if name in _PASS_THROUGH:
            if call.positional and (receiver_node is None or name in ("URI", "URL", "Uri",
                                                                      "parse", "create", "path")):
                return self.value(call.positional[0], ctx.deeper())
            if receiver_node is not None:
                return self.value(receiver_node, ctx.deeper())
        returned = self.call_returns(call, ctx)
        return returned if returned is not None else hole(name)

    def call_returns(self, call: Call, ctx: Context) -> list[Alt] | None:
        """The value a tree-defined function returns for this call's arguments."""
        for function in self.functions_for(call, ctx):
            if not function.returns:
                continue
            inner = self.bind(function, call, ctx)
            out = [a for node in function.returns[:2] for a in self.value(node, inner)]
            if not only_holes(out):
                return [alt.tagged("builder") for alt in out]
        return None

    def functions_for(self, call: Call, ctx: Context) -> list[Function]:
        """Tree-defined functions a call may reach, closest first."""
        candidates = [
            f for f in self.index.functions.get(call.name, [])
            if not (self.index.files[f.scope.file].test and not ctx.facts.test)
            and same_family(self.index.files[f.scope.file], ctx.facts)
        ]
        if not candidates:
            return []
        receiver = call.receiver
        own = ctx.self_cls or ctx.scope.cls
        lineage = {own, *self._ancestors(own)} if own else set()
        if not receiver or is_self(receiver) or receiver == ctx.self_name:
            close = [f for f in candidates if f.scope.cls in lineage]
            plain = [f for f in candidates if f.scope.cls is None]
            return close + plain if (close or plain) else candidates[:1]
        named = last_name(receiver.split("(", 1)[0]).lower().rstrip("s")
        exact = [f for f in candidates
                 if f.scope.cls is not None and f.scope.cls.lower().rstrip("s") == named]
        if exact:
            return exact
        return candidates if len({f.scope.cls for f in candidates}) == 1 else []

    def _ancestors(self, cls: str | None) -> set[str]:
        found: set[str] = set()
        queue = [cls] if cls else []
        while queue and len(found) < 12:
            for base in self.index.bases_of(queue.pop()):
                if base not in found:
                    found.add(base)
                    queue.append(base)
        return found

    def bind(self, function: Function, call: Call, ctx: Context) -> Context:
        """The context a function's body is read in for one call: parameters bound to the
        call's arguments (positional, then by keyword)."""
        pairs: list[tuple[str, tuple[Alt, ...]]] = []
        objects = [arg for arg in call.positional if arg.type == "object"]
        for position, name in enumerate(function.params):
            node = call.keywords.get(name)
            if node is None and position < len(call.positional) and not (
                    objects and call.positional[position] is objects[0] and position == 0
                    and _destructures(function)):
                node = call.positional[position]
            if node is not None:
                pairs.append((name, tuple(self.value(node, ctx.deeper()))))
                if node.type == "object":
                    pairs.extend(self._object_keys(name, call, ctx))
                continue
            spread = self._from_spreads(name, call, ctx)
            if spread is not None:
                pairs.append((name, spread))
        if function.rest is not None:
            pairs.extend(self._object_keys(function.rest, call, ctx))
        facts = self.index.files[function.scope.file]
        self_call = not call.receiver or is_self(call.receiver) or call.receiver == ctx.self_name
        self_cls = (ctx.self_cls or ctx.scope.cls) if self_call else function.scope.cls
        return Context(
            facts, Scope(facts.index, function.scope.cls, function.own_id),
            reading=function.own_id if ctx.reading is not None else None,
            env=tuple(pairs), self_cls=self_cls or function.scope.cls,
            self_name=function.self_name, depth=ctx.depth + 1,
        )

    def _object_keys(self, name: str, call: Call, ctx: Context
                     ) -> list[tuple[str, tuple[Alt, ...]]]:
        """``name.key`` bindings for an object argument's keys (and the keys it spreads
        from the caller's own bindings), so ``{...args}`` carries ``method`` and ``path``
        one wrapper further; ``name.*`` says the object is known."""
        out: list[tuple[str, tuple[Alt, ...]]] = [(f"{name}.*", ())]
        for key, node in call.keywords.items():
            out.append((f"{name}.{key}", tuple(self.value(node, ctx.deeper()))))
        for spread in call.spreads:
            if ctx.bound(f"{spread}.*") is None:
                out = [pair for pair in out if pair[0] != f"{name}.*"]
            for key, value in ctx.env or ():
                if key.startswith(f"{spread}.") and key != f"{spread}.*":
                    suffix = key.split(".", 1)[1]
                    if suffix not in call.keywords:
                        out.append((f"{name}.{suffix}", value))
        return out

    def _from_spreads(self, name: str, call: Call, ctx: Context) -> tuple[Alt, ...] | None:
        reading = self.index.function(ctx.facts, ctx.scope.func)
        for spread in call.spreads:
            bound = ctx.bound(f"{spread}.{name}")
            if bound is not None:
                return tuple(bound)
            if (reading is not None and ctx.env is None and ctx.reading == reading.own_id
                    and (spread in reading.params or spread == reading.rest)):
                return (Alt((Hole(f"{spread}.{name}", param=True),)),)  # a wrapper's options
        return None

    def _format(self, call: Call, receiver_node: Node | None, ctx: Context) -> list[Alt]:
        named = {key: self.value(node, ctx.deeper()) for key, node in call.keywords.items()}
        if receiver_node is not None and last_name(text_of(receiver_node)) not in (
                "String", "string", "fmt", "str", "Strings"):
            template = self.value(receiver_node, ctx.deeper())
            values = [self.value(arg, ctx.deeper()) for arg in call.positional]
        elif call.positional:
            template = self.value(call.positional[0], ctx.deeper())
            values = [self.value(arg, ctx.deeper()) for arg in call.positional[1:]]
        else:
            return hole("format")
        return fill_format(template, values, named)

    def _join(self, call: Call, receiver_node: Node | None, ctx: Context) -> list[Alt]:
        if receiver_node is not None and receiver_node.type in STRING_TYPES:
            separator = self.value(receiver_node, ctx.deeper())
            items = call.positional[0].named_children if call.positional else []
            pieces: list[list[Alt]] = []
            for index, item in enumerate(items):
                if index:
                    pieces.append(separator)
                pieces.append(self.value(item, ctx.deeper()))
            return join(pieces) or hole("join")
        if receiver_node is not None and receiver_node.type in ("array", "list"):
            return join_path([self.value(i, ctx.deeper()) for i in receiver_node.named_children])
        args = call.positional
        if len(args) == 1 and args[0].type in ("array", "list", "composite_literal"):
            args = args[0].named_children
        return join_path([self.value(arg, ctx.deeper()) for arg in args]) or hole("join")


def _destructures(function: Function) -> bool:
    """The function takes one object and names its keys (``({ path, method })``)."""
    params = function.node.child_by_field_name("parameters")
    return params is not None and any(
        child.type in ("object_pattern", "assignment_pattern") and "{" in text_of(child)[:2]
        for child in params.named_children[:1]
    )


def _receiver_node(node: Node) -> Node | None:
    function = node.child_by_field_name("function")
    if function is not None and function.type in MEMBERS:
        return (function.child_by_field_name("object") or function.child_by_field_name("operand")
                or function.child_by_field_name("expression"))
    return node.child_by_field_name("object") or node.child_by_field_name("receiver")
