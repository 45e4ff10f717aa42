"""HTTP call sites, their method, and the wrapper functions around them.

A call is an HTTP call site when its shape says so: a verb-named method
(``requests.post``, ``self.post_request``, ``PostAsync``, ``access_token.post``), a request
function that takes the method as an argument (``requests.request("POST", …)``,
``http.NewRequestWithContext(ctx, http.MethodPost, …)``, ``fetch(url, {method})``), a
verb-named request class (``Net::HTTP::Post.new``, ``new HttpPost(…)``), or a call of a
*wrapper*: a function of the tree whose parameter flows into the URL of an HTTP call
inside it (``def list(endpoint) get("/rest/#{api_version}/#{endpoint}")``). Wrappers nest:
a wrapper may call another.

The method comes from the call shape, then an argument that carries it, then a builder
chain around the call (Java's ``.POST(…)``), then the class a fanned-out value came from
(a C# ``HttpMethod`` override). When none says, it is ``UNKNOWN``, never a silent GET.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from dmsa_migrate.inventory.scan.index import Context, language_family
from dmsa_migrate.inventory.scan.resolve import Resolver
from dmsa_migrate.inventory.scan.syntax import (
    CALL_TYPES,
    OBJECT_TYPES,
    Call,
    FileFacts,
    Function,
    Node,
    Scope,
    is_self,
    last_name,
    object_keywords,
    text_of,
)
from dmsa_migrate.inventory.scan.values import Alt, Anchor, hole, join, lit, path_shape

UNKNOWN = "UNKNOWN"
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_VERB_NAME = re.compile(
    r"^(?:http_?|do_?|_+|send_?|make_?|api_?|perform_?|async_?|raw_?|execute_?)?"
    r"(?P<verb>get|post|put|patch|delete)"
    r"(?:_?(?:request|async|json|as_?json(?:_?async)?|for_?object|for_?entity|resource|data"
    r"|raw|with_?response|string(?:_?async)?|response|api|call|http))?$",
    re.IGNORECASE,
)
_REQUEST_NAMES = frozenset(
    {
        "request", "fetch", "urlopen", "newrequest", "newrequestwithcontext", "send",
        "sendasync", "execute", "executeasync", "exchange", "runrequest", "perform", "ajax",
        "curlinit", "filegetcontents", "httprequestmessage", "restrequest", "apirequest",
        "makerequest", "dorequest", "httprequest", "requestasync", "urlfetch",
        "buildrequest", "requestraw", "sendrequest", "performrequest", "executerequest",
        "axios", "makeapirequest", "apicall", "callapi",
    }
)
"""Compared without underscores and case: ``_makeRequest``, ``make_request``, ``MakeRequest``."""
_GET_BY_DEFAULT = frozenset(
    {"fetch", "urlopen", "filegetcontents", "curlinit", "urlfetch", "restrequest", "axios"}
)
"""Calls whose method is GET when none is given (fetch, axios, RestSharp's RestRequest …)."""
_VERB_CLASS = re.compile(r"(?:^|::|\.)Http(?P<verb>Get|Post|Put|Patch|Delete)$", re.IGNORECASE)
_VERB_MEMBER = re.compile(
    r"(?:Method|HttpMethod|Verb|Methods)\.?(?P<verb>Get|Post|Put|Patch|Delete)\b"
    r"|^:(?P<symbol>get|post|put|patch|delete)$",
    re.IGNORECASE,
)
_METHOD_KEYS = frozenset({"method", "verb", "http_method", "httpMethod", "type", "Method"})
_URL_KEYS = frozenset(
    {
        "url", "uri", "path", "endpoint", "resource", "href", "route", "api_url", "endpoint_url",
        "requestUri", "RequestUri", "Resource", "address", "Url", "Uri", "Path", "Endpoint",
        "relative_url", "url_path", "api_path", "resource_path",
    }
)
_LIBRARY_RECEIVERS = frozenset(
    {
        "requests", "httpx", "session", "http", "https", "conn", "connection", "faraday",
        "agent", "axios", "got", "superagent", "request", "rest_client", "httpclient",
        "http_client", "access_token", "token", "oauth", "net_http", "HTTParty", "_session",
        "urllib", "RestClient", "Net::HTTP", "HttpClient", "_http", "_httpClient",
        "httpClient", "client_session", "aiohttp", "urllib3", "pool", "Faraday", "ky",
    }
)
_NOT_HTTP_RECEIVER = re.compile(
    r"(?:^|\.)(?:environ|ENV|env|params|headers|kwargs|options|opts|config|settings|data|"
    r"json|dict|cache|resp|response|result|results|row|record|item|args|attrs|meta|"
    r"payload|body|query|form|cookies|session_state|values|map|os\.environ)$|^process\.env$"
)
_FUNCTION_ARGS = frozenset(
    {"arrow_function", "function_expression", "function", "lambda", "lambda_expression",
     "func_literal", "anonymous_function", "anonymous_function_creation_expression",
     "method_reference", "block", "do_block"}
)
_ROUTERS = frozenset(
    {"app", "router", "r", "e", "engine", "group", "g", "server", "mux", "routes", "bp",
     "blueprint", "api_router", "srv", "v1", "route", "routergroup", "fastify", "koa"}
)
WRAPPER_BUDGET = 256
"""Wrapper calls one call site may be read through, nested ones included. Real code nests a
few wrappers a few calls wide; wrappers that each call the next twice would otherwise
double the work at every level (2^25 readings for 25 of them)."""
_HAS_ID_KEY = re.compile(r"[{,]\s*[\"']?id[\"']?\s*[:,}]")
"""An object literal with an ``id`` key (``{ id: 5 }``, ``{ project_id, id }``)."""
_BASE_KEYS = frozenset({"baseurl", "base_url", "base_uri", "baseuri", "url", "baseaddress",
                        "prefixurl", "host", "url_prefix"})
"""Keywords a client constructor takes its base URL by (axios, httpx, Faraday, HttpClient,
got/ky), lower-cased."""
_ROOT_VERSION = re.compile(r"/rest/(v\d+(?:\.\d+)?)(?:/|$)")
_QUOTED_VERB = re.compile(r"""["'`](GET|POST|PUT|PATCH|DELETE)["'`]""", re.IGNORECASE)
_URLISH = re.compile(r"url|uri|path|endpoint|resource|route|href|link", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """One URL alternative a call site may reach, and its method."""

    alt: Alt
    method: str
    method_from: str
    version: str | None = None


def structural(target: Target) -> bool:
    """A parameter gives part of the path's shape (not just an id in a complete path):
    the function is a wrapper and its callers are the real call sites."""
    return target.alt.has_param and path_shape(target.alt, "v1.0") is None


def _verb(text: str) -> str | None:
    upper = text.strip().strip("\"'`:").upper()
    return upper if upper in VERBS else None


def _sdk_root(version: str | None) -> str | None:
    """The API root Procore's JS SDK puts before ``base`` for its ``version`` option."""
    if version is None:
        return "/rest/v1.0"  # the SDK's default (a computed version is read as the default)
    version = version.strip()
    if version == "unversioned":
        return ""
    if re.fullmatch(r"v[1-9]\d*\.\d+", version):
        return f"/rest/{version}"
    if re.fullmatch(r"vapid/?", version):
        return "/vapid"
    return None


def shape_verb(call: Call) -> str | None:
    """The method the callee's own name says (``post_request``, ``Net::HTTP::Post.new``)."""
    named = _VERB_NAME.match(call.name)
    if named is not None:
        return named["verb"].upper()
    klass = _VERB_CLASS.search(call.name) or _VERB_CLASS.search(call.callee.split("(")[0])
    if klass is not None:
        return klass["verb"].upper()
    if call.name in ("new", "New", "new_request") and call.receiver:
        verb = _verb(last_name(call.receiver))
        if verb is not None and "HTTP" in call.receiver.upper():
            return verb
    return None


def looks_like_route(call: Call) -> bool:
    """A server's route registration, not a call out: ``@app.post("/webhooks")``,
    ``app.post("/webhooks", (req, res) => …)``, ``r.POST("/webhooks", handle)``, Sinatra's
    ``post "/webhooks" do … end``, a Spring ``@PostMapping`` (never a client annotation)."""
    node = call.node
    if node.type == "annotation":
        return call.name not in ("GET", "POST", "PUT", "PATCH", "DELETE", "RequestLine")
    parent = node.parent
    if parent is not None and parent.type == "decorator":
        return True
    if any(arg.type in _FUNCTION_ARGS for arg in call.positional[1:]):
        return True
    if not call.receiver and any(c.type in ("do_block", "block") for c in node.children):
        return True
    if not call.receiver and {"to", "controller", "action"} & set(call.keywords):
        return True  # Rails: post "webhooks/procore", to: "webhooks#create"
    receiver = last_name(call.receiver).lower()
    return receiver in _ROUTERS and len(call.positional) >= 2


def library_call(call: Call) -> bool:
    """Does the callee's shape make this an HTTP request (whatever the URL)?"""
    if looks_like_route(call):
        return False
    if call.name == "RequestLine" and call.positional:
        return True  # Feign: @RequestLine("POST /projects/{id}/rfis")
    if shape_verb(call) is not None:
        return not _NOT_HTTP_RECEIVER.search(call.receiver)
    lowered = call.name.lower()
    if lowered.replace("_", "") in _REQUEST_NAMES:
        return True
    if lowered == "curl_setopt":
        return len(call.positional) >= 3 and text_of(call.positional[1]) == "CURLOPT_URL"
    if lowered == "method" and call.positional:
        return _verb(text_of(call.positional[0])) is not None  # Java: .method("PATCH", body)
    return lowered == "open" and last_name(call.receiver) in ("URI", "OpenURI", "request")


class CallReader:
    """Reads HTTP call sites: their URL alternatives and methods, through wrappers."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.index = resolver.index
        self._wrapper_calls: dict[int, list[Call]] = {}
        self._reading: set[int] = set()
        self._bases: dict[int, dict[str, list[Node]]] = {}
        self._expansions = 0

    # --- wrappers -----------------------------------------------------------------------

    def wrapper_calls(self, function: Function) -> list[Call]:
        """The HTTP calls inside ``function`` whose URL depends on its parameters (empty
        when it is not a wrapper)."""
        cached = self._wrapper_calls.get(function.own_id)
        if cached is not None:
            return cached
        if function.own_id in self._reading or not function.params:
            return []
        self._reading.add(function.own_id)
        try:
            facts = self.index.files[function.scope.file]
            ctx = Context(facts, Scope(facts.index, function.scope.cls, function.own_id),
                          reading=function.own_id, self_cls=function.scope.cls,
                          self_name=function.self_name)
            found = [
                call for call in facts.calls
                if call.scope.func == function.own_id and self.is_http(call, ctx)
                and any(structural(target) for target in self.targets(call, ctx))
            ]
        finally:
            self._reading.discard(function.own_id)
        self._wrapper_calls[function.own_id] = found
        return found

    def wrappers_for(self, call: Call, ctx: Context) -> list[Function]:
        receiver = last_name(call.receiver) if call.receiver else ""
        if call.receiver and (receiver in _LIBRARY_RECEIVERS or call.receiver in
                              _LIBRARY_RECEIVERS):
            return []
        if looks_like_route(call) or (receiver and self._library_instance(receiver, ctx)):
            return []
        out = []
        for function in self.resolver.functions_for(call, ctx):
            if function.node is call.node or function.own_id == ctx.scope.func:
                continue
            if self.wrapper_calls(function):
                out.append(function)
        return out[:3]

    def _library_instance(self, name: str, ctx: Context) -> bool:
        """``procore = axios.create({...})``, ``router = express.Router()``, ``s =
        requests.Session()``: the receiver is made by a library, not by a class of the
        tree, so its ``get``/``post`` are the library's, whatever the tree defines."""
        if is_self(name) or name == ctx.self_name:
            return False
        classes = self.index.classes
        for definition in self.index.definitions.get(name, []):
            if definition.scope.file != ctx.facts.index and definition.scope.func is not None:
                continue
            value = definition.value
            if value.type not in CALL_TYPES:
                continue
            made = self.index.calls_by_node.get((definition.scope.file, value.id))
            if made is None:
                continue
            maker = made.name if made.name not in ("new", "New") else last_name(made.receiver)
            family = language_family(ctx.facts.language)
            files = [info.file for info in classes.get(maker, [])]
            files += [f.scope.file for f in self.index.functions.get(maker, [])]
            if not any(language_family(self.index.files[i].language) == family for i in files):
                return True
        return False

    def is_http(self, call: Call, ctx: Context) -> bool:
        return library_call(call) or bool(self.wrappers_for(call, ctx))

    # --- targets ------------------------------------------------------------------------

    def start_site(self) -> None:
        """A new call site of the tree: its reading through wrappers gets a fresh budget."""
        self._expansions = 0

    def targets(self, call: Call, ctx: Context) -> list[Target]:
        """Every URL alternative of one call site, with its method."""
        wrappers = self.wrappers_for(call, ctx)
        if wrappers:
            if self._expansions >= WRAPPER_BUDGET:
                return []  # crafted wrappers that call each other: the rest is not read
            self._expansions += 1
            return self._through_wrappers(call, wrappers, ctx)
        if not library_call(call):
            return []
        method, method_from = self.method_of(call, ctx)
        version = self._version_option(call, ctx) or self._receiver_version(call, ctx)
        return [Target(alt, method, method_from, version) for alt in self.url_values(call, ctx)]

    def _through_wrappers(self, call: Call, wrappers: list[Function], ctx: Context
                          ) -> list[Target]:
        own = shape_verb(call)
        out: list[Target] = []
        for function in wrappers:
            inner_ctx = self.resolver.bind(function, call, ctx)
            for inner in self.wrapper_calls(function):
                for target in self.targets(inner, inner_ctx):
                    method, source = target.method, target.method_from
                    if method == UNKNOWN and own is not None:
                        method, source = own, "wrapper name"
                    out.append(replace(target, alt=target.alt.tagged(
                        "wrapper", (function.scope.file, function.node.start_point[0] + 1)),
                        method=method, method_from=source,
                        version=target.version or self._version_option(call, ctx)))
        return out

    def url_values(self, call: Call, ctx: Context) -> list[Alt]:
        """The alternatives of the arguments that may carry the URL: URL-named keywords,
        the first positional arguments, a builder chain's ``.uri(…)``, and the ``url``/
        ``path`` a spread object (``{...args}``) brings from a wrapper's caller."""
        config = self._endpoint_config(call, ctx)
        if config is not None:
            return config
        nodes: list[Node] = [node for key, node in call.keywords.items() if key in _URL_KEYS]
        nodes.extend(call.positional[:4])
        nodes.extend(_builder_urls(call.node))
        if not call.positional:
            nodes.extend(_outer_urls(call.node))
        out: list[Alt] = []
        if not any(key in _URL_KEYS for key in call.keywords):
            for name in call.spreads:
                for key in ("url", "path", "uri", "endpoint"):
                    out.extend(alt.tagged("wrapper") for alt in ctx.bound(f"{name}.{key}") or [])
        for node in nodes:
            if node.type in ("object", "hash", "dictionary"):
                continue  # its url/path keys are read as keywords
            out.extend(self.resolver.value(node, ctx.deeper()))
        return out

    def _endpoint_config(self, call: Call, ctx: Context) -> list[Alt] | None:
        """The URL of Procore's JS SDK call ``client.get({base, version, params, action})``.

        The SDK (``@procore/js-sdk``, ``lib/client.ts``) builds it as the API root of
        ``version`` (``"v1.1"`` → ``/rest/v1.1``, ``"vapid"``, ``"unversioned"`` → none;
        default ``v1.0``), then ``base`` with its ``/{name}`` tokens filled from ``params``,
        then ``/<params.id>`` when ``params`` has an ``id``, then ``/<action>``. None when
        the call has no ``base`` keyword (or names its URL another way).
        """
        if not call.positional or call.positional[0].type not in OBJECT_TYPES:
            return None  # the SDK's config is the first argument; a URL first is not one
        config = self._spread_keywords(call, ctx) | call.keywords
        base = config.get("base")
        if base is None or any(key in _URL_KEYS for key in config):
            return None
        root = _sdk_root(self._literal_of(config.get("version"), ctx))
        if root is None:
            return []  # the SDK throws on a version it does not know
        pieces = [lit(root), self.resolver.value(base, ctx.deeper())]
        params = config.get("params")
        if params is not None and _HAS_ID_KEY.search(text_of(params)):
            pieces += [lit("/"), hole("params.id")]
        action = config.get("action")
        if action is not None:
            pieces += [lit("/"), self.resolver.value(action, ctx.deeper())]
        return join(pieces)

    def _spread_keywords(self, call: Call, ctx: Context) -> dict[str, Node]:
        """The keys an object argument gets by spreading a constant object of the same file
        (``get({ ...RFIS, qs })`` with ``const RFIS = { base: "/projects/{id}/rfis" }``)."""
        keywords: dict[str, Node] = {}
        for name in call.spreads:
            for definition in self.index.definitions.get(name, []):
                if definition.scope.file == ctx.facts.index:
                    keywords.update(object_keywords(definition.value))
        return keywords

    def _literal_of(self, node: Node | None, ctx: Context) -> str | None:
        """The text of a value that resolves to one literal, else None."""
        if node is None:
            return None
        texts = {alt.literal() for alt in self.resolver.value(node, ctx.deeper())}
        return texts.pop() if len(texts) == 1 else None

    def _version_option(self, call: Call, ctx: Context) -> str | None:
        for key, node in call.keywords.items():
            if "version" in key.lower():
                for alt in self.resolver.value(node, ctx.deeper()):
                    text = alt.literal()
                    if text:
                        match = re.fullmatch(r"/?(?:rest/)?(v\d+(?:\.\d+)?)/?", text.strip())
                        if match:
                            return match.group(1)
        return None

    def _receiver_version(self, call: Call, ctx: Context) -> str | None:
        """The API version of the base the receiver was given, if it names one.

        ``v11 = axios.create({baseURL: BASE + "/rest/v1.1"})`` then ``v11.get("/projects")``
        calls v1.1, whatever base the rest of the tree uses: a client made for one version
        beside the tree's default is a common shape (v1.1 for documents, v2.0 for the
        newer tools). The base comes from the constructor's keywords (``base_url=``,
        ``baseURL:``, ``url:``) or from a later assignment (``client.BaseAddress = new
        Uri(…)``). Only the call's own file is read (a receiver of the same name elsewhere
        is another object).
        """
        name = last_name(call.receiver) if call.receiver else ""
        if not name or is_self(name):
            return None
        for node in self._bases_in(ctx.facts).get(name, []):
            for alt in self.resolver.value(node, ctx.deeper()):
                text = "".join(part for part in alt.parts if isinstance(part, str))
                match = _ROOT_VERSION.search(text)
                if match:
                    return match.group(1)
        return None

    def _bases_in(self, facts: FileFacts) -> dict[str, list[Node]]:
        """Receiver name → the nodes that may hold its base URL, for one file (cached)."""
        cached = self._bases.get(facts.index)
        if cached is not None:
            return cached
        bases: dict[str, list[Node]] = {}
        for definition in facts.definitions:
            if definition.value.type in CALL_TYPES:
                made = self.index.calls_by_node.get((facts.index, definition.value.id))
                for key, node in made.keywords.items() if made else ():
                    if key.lower() in _BASE_KEYS:
                        bases.setdefault(definition.name, []).append(node)
            if definition.name.lower() in _BASE_KEYS and definition.receiver:
                bases.setdefault(last_name(definition.receiver), []).extend(
                    self._constructed(facts, definition.value))
        self._bases[facts.index] = bases
        return bases

    def _constructed(self, facts: FileFacts, node: Node) -> list[Node]:
        """``new Uri(x)`` → ``[x]``; any other value → ``[value]``."""
        made = self.index.calls_by_node.get((facts.index, node.id))
        if node.type in CALL_TYPES and made is not None and made.positional:
            return made.positional[:1]
        return [node]

    # --- method -------------------------------------------------------------------------

    def method_of(self, call: Call, ctx: Context) -> tuple[str, str]:
        """``(method, where it came from)``; ``UNKNOWN`` when nothing says."""
        verb = shape_verb(call)
        if verb is not None:
            return verb, "call"
        verb = self._argument_verb(call, ctx)
        if verb is not None:
            return verb, "argument"
        verb = self._chain_verb(call, ctx)
        if verb is not None:
            return verb, "builder"
        lowered = call.name.lower().replace("_", "")
        if lowered in ("curlinit", "curlsetopt"):
            return self._curl_verb(call, ctx), "curl options"
        if call.name == "RequestLine" and call.positional:
            verb = _verb(text_of(call.positional[0]).strip("\"'").split(" ", 1)[0])
            if verb:
                return verb, "annotation"
        if lowered in _GET_BY_DEFAULT:
            if lowered == "urlopen" and (len(call.positional) > 1 or "data" in call.keywords):
                return "POST", "urlopen data"
            options = self._options_verb(call, ctx)
            if options is not None:
                return options
            return "GET", "default of " + call.name
        return UNKNOWN, "unknown"

    def _options_verb(self, call: Call, ctx: Context) -> tuple[str, str] | None:
        """``fetch(url, options)`` with ``options`` a variable: its ``method`` key if it is an
        object literal of this file, else UNKNOWN (it may name any method)."""
        for node in call.positional[1:2]:
            if node.type not in ("identifier", "member_expression"):
                continue
            name = last_name(text_of(node))
            objects = [d.value for d in self.index.definitions.get(name, [])
                       if d.scope.file == ctx.facts.index and d.value.type == "object"]
            if not objects:
                return UNKNOWN, "options not resolved"
            for pair in objects[-1].named_children:
                key = pair.child_by_field_name("key")
                if key is not None and text_of(key).strip("'\"") == "method":
                    verb = _verb(text_of(pair.child_by_field_name("value")))
                    return (verb, "options") if verb else (UNKNOWN, "options method")
        return None

    def _argument_verb(self, call: Call, ctx: Context) -> str | None:
        for name in call.spreads:
            for alt in ctx.bound(f"{name}.method") or []:
                if (literal := alt.literal()) is not None and _verb(literal):
                    return _verb(literal)
        nodes = [node for key, node in call.keywords.items() if key in _METHOD_KEYS]
        nodes.extend(call.positional[:3])
        for node in nodes:
            text = text_of(node)
            member = _VERB_MEMBER.search(text)
            if member is not None and node.type not in ("string", "string_literal"):
                return (member["verb"] or member["symbol"]).upper()
            if len(text) > 60:
                continue
            verbs = {
                _verb(literal) for alt in self.resolver.value(node, ctx.deeper())
                if (literal := alt.literal()) is not None and _verb(literal)
            }
            if len(verbs) == 1:
                return verbs.pop()
            if verbs:
                return None  # one per class (request.Method): read from each class
        return None

    def _chain_verb(self, call: Call, ctx: Context) -> str | None:
        """``HttpRequest.newBuilder().uri(URI.create(url)).POST(body)``: a verb-named call
        in the builder chain around the call."""
        node = call.node.parent
        for _ in range(8):
            if node is None or node.type in ("expression_statement", "block",
                                             "local_variable_declaration", "return_statement"):
                break
            if node.type in CALL_TYPES:
                outer = self.index.calls_by_node.get((ctx.facts.index, node.id))
                if outer is not None and outer is not call:
                    verb = shape_verb(outer)
                    if verb is not None:
                        return verb
                    if outer.name in ("method", "Method") and outer.positional:
                        verb = _verb(text_of(outer.positional[0]))
                        if verb:
                            return verb
            node = node.parent
        return None

    def _curl_verb(self, call: Call, ctx: Context) -> str:
        for other in ctx.facts.calls:
            if other.scope.func != call.scope.func or other.name != "curl_setopt":
                continue
            args = [text_of(node) for node in other.positional]
            if len(args) >= 3 and args[1] == "CURLOPT_CUSTOMREQUEST":
                verb = _verb(args[2])
                if verb:
                    return verb
            if len(args) >= 3 and args[1] == "CURLOPT_POST" and args[2].lower() in ("true", "1"):
                return "POST"
        return "GET"

    def anchor_verb(self, anchor: Anchor) -> str | None:
        """The method a class-per-endpoint class declares (``HttpMethod Method =>
        HttpMethod.Post``), or its base class's default."""
        queue = [anchor.cls] if anchor.cls else []
        seen: set[str] = set()
        while queue:
            cls = queue.pop(0)
            if cls in seen:
                continue
            seen.add(cls)
            for name in ("Method", "HttpMethod", "method", "http_method", "Verb", "verb"):
                for definition in self.index.definitions.get(name, []):
                    if definition.scope.cls != cls:
                        continue
                    text = text_of(definition.value)
                    member = _VERB_MEMBER.search(text)
                    if member is not None:
                        return (member["verb"] or member["symbol"]).upper()
                    quoted = _QUOTED_VERB.search(text)
                    if quoted is not None:
                        return quoted.group(1).upper()
            queue.extend(self.index.bases_of(cls))
        return None


_BUILDER_URL_CALLS = frozenset(
    {"uri", "url", "newBuilder", "setUri", "setUrl", "requestUri", "Url", "Uri", "baseUrl"}
)


def _builder_urls(node: Node) -> list[Node]:
    """``HttpRequest.newBuilder().uri(URI.create(url)).POST(body)``: the URL given earlier in
    the builder chain a verb-named call ends (OkHttp's ``.url(u).post(b)`` too)."""
    found: list[Node] = []
    current = node
    for _ in range(10):
        function = current.child_by_field_name("function")
        inner = current.child_by_field_name("object") or (
            function.child_by_field_name("object") if function is not None else None)
        if inner is None or inner.type not in CALL_TYPES:
            break
        name = inner.child_by_field_name("name") or (
            inner.child_by_field_name("function") or inner).child_by_field_name("property")
        arguments = inner.child_by_field_name("arguments")
        if name is not None and text_of(name) in _BUILDER_URL_CALLS and arguments is not None:
            found.extend(child for child in arguments.named_children
                         if "comment" not in child.type)
        current = inner
    return found[:1]


def _outer_urls(node: Node) -> list[Node]:
    """Spring's ``web.get().uri("/projects/{id}/tasks", id)``: a verb call with no URL
    takes it from the ``.uri(…)`` called on its result."""
    current = node
    for _ in range(4):
        call = current.parent
        member = None
        if call is not None and call.type not in CALL_TYPES:
            member, call = call, call.parent
        if call is None or call.type not in CALL_TYPES:
            return []
        name = call.child_by_field_name("name") or (
            member.child_by_field_name("property") if member is not None else None)
        arguments = call.child_by_field_name("arguments")
        if name is not None and text_of(name) in _BUILDER_URL_CALLS and arguments is not None:
            return [c for c in arguments.named_children if "comment" not in c.type][:1]
        current = call
    return []


def wraps_request(call: Call, facts: FileFacts, index: Any) -> bool:
    """``client.ExecuteAsync(new RestRequest(url))``, ``http.send(request)``: the request was
    built by another call site (already counted); this one only sends it."""
    for node in call.positional[:2]:
        inner = index.calls_by_node.get((facts.index, node.id))
        if inner is not None and library_call(inner):
            return True
    return False


def url_like(call: Call) -> bool:
    """Could an argument be a URL (a blind spot when it does not resolve)?"""
    if any(key in _URL_KEYS for key in call.keywords):
        return True
    for node in call.positional[:3]:
        text = text_of(node)
        if _URLISH.search(text) or re.search(r"""["'`][^"'`]*/""", text):
            return True
    return False


def call_context(facts: FileFacts, call: Call, reader: CallReader) -> Context:
    """The context a top-level reading of ``call`` starts from (its own function is read
    with parameters as holes, to tell a wrapper's inner call from a real one)."""
    function = reader.index.function(facts, call.scope.func)
    return Context(
        facts, call.scope, reading=call.scope.func, self_cls=call.scope.cls,
        self_name=function.self_name if function is not None else None,
    )

