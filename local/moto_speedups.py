"""Work moto's server repeats on every request although its answer cannot change, done once.

Each patch below replaces a pure function of its arguments with a cached one, or a per-call
object with a shared one; none changes what moto answers. They were found by sampling the
stack under the soak (docs/performance.md, "The local stack: where its time and memory go").
"""

import collections
import copy
import functools
import weakref
from typing import Any

PATCHED = "_ordersync_cached"


def apply() -> None:
    """Install every patch once per process (a second stack in the same process reuses them)."""
    from moto import backends

    if getattr(backends, PATCHED, False):
        return
    _cache_module_list(backends)
    _cache_backend_for_host()
    _cache_json_paths()
    _cache_update_expressions()
    _cache_method_names()
    _validate_update_expressions_faster()
    setattr(backends, PATCHED, True)


def _cache_module_list(backends: Any) -> None:
    """The dispatcher asks which services moto has by listing its package directory (an
    os.listdir and a stat per service, over 150 of them) on every request."""
    listed = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: listed


def _cache_backend_for_host() -> None:
    """A request's host names its service; the dispatcher matched it against every service's
    URL patterns, one regular expression after another, for each request."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    find = DomainDispatcherApplication.get_backend_for_host
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        # Called under the dispatcher's own lock, so the dict needs no other.
        if host not in found:
            found[host] = find(self, host)
        return found[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def _cache_json_paths() -> None:
    """moto's Step Functions compiles each JSONPath with a fresh PLY parser (building its
    tables) every time a state reads or writes one. A compiled path is never changed by
    find() or update(), so one per path string serves every execution."""
    from jsonpath_ng import parse as plain
    from jsonpath_ng.ext import parse as extended
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    json_path.parse = functools.lru_cache(maxsize=512)(extended)  # type: ignore[attr-defined]
    result_path.parse = functools.lru_cache(maxsize=512)(plain)  # type: ignore[attr-defined]


# The package's own expressions are a few dozen; most of the rest name one in-flight holder
# (`#h_<hash>`) and are used once, so a larger cache only holds more of those.
EXPRESSIONS_PARSED_KEPT = 256


def _cache_update_expressions() -> None:
    """moto tokenises and parses an UpdateExpression on every UpdateItem. Its validator
    deep-copies the tree before it resolves names and values into it, so the parsed tree is
    never changed and one per expression string serves every call."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    make = UpdateExpressionParser.__dict__["make"].__func__
    UpdateExpressionParser.make = classmethod(  # type: ignore[method-assign, assignment]
        functools.lru_cache(maxsize=EXPRESSIONS_PARSED_KEPT)(make)
    )


def _cache_method_names() -> None:
    """Each request's response class listed its own functions with inspect.getmembers, to see
    whether the action is one of them (5% of the stack's CPU once requests stopped crossing
    HTTP). A class's functions are fixed by then: the stack patches moto before it serves."""
    from moto.core import responses, utils

    @functools.lru_cache(maxsize=256)
    def method_names(clazz: type) -> frozenset[str]:
        return frozenset(utils.method_names_from_class(clazz))

    responses.method_names_from_class = method_names  # type: ignore[assignment]


# How many (names, key attributes) combinations are remembered as valid for one parsed tree.
VALID_COMBINATIONS_KEPT = 64


def _validate_update_expressions_faster() -> None:
    """moto checks an UpdateExpression with ten walks over a deep copy of its parsed tree; for
    the alert's upsert (about thirty actions) that was a quarter of the stack's CPU once
    requests stopped crossing HTTP. Four changes, none to what moto answers:
    - three of the walks (one clause of each kind, no overlapping paths, no key attribute set)
      read only the expression, its names and the table's keys, and two of them search each
      subtree again at every level; a combination that passed every check once is not checked
      again (a failing one always is), remembered with the parsed tree for as long as the parse
      cache keeps it (expressions that name an attribute per holder, like the in-flight places'
      `#h_<hash>`, are new on nearly every call: remembered apart, they kept every tree alive);
    - every walk rebuilt its map of node types for each node it visited;
    - each of the seven walks left tested every node with ABCMeta's isinstance (slow), twice
      and then once per type of its map, and called a per-child hook that only one of them
      has: what a kind of node is to a walk is now looked up once per kind (about a third of
      the validation's CPU, tests/integration/test_local_moto_speedups.py);
    - the parsed tree, only nodes and immutable leaves, is cloned directly, not by deepcopy.
    """
    from moto.dynamodb.parsing import ast_nodes, validators

    def nodes_to_be_processed(self: Any) -> tuple[type, ...]:
        try:
            return self._ordersync_types  # type: ignore[no-any-return]
        except AttributeError:
            self._ordersync_map = self._processing_map()
            self._ordersync_types = tuple(self._ordersync_map)
            return self._ordersync_types  # type: ignore[no-any-return]

    def process(self: Any, node: Any) -> Any:
        key = _plan_kind(type(node), node_class, nodes_to_be_processed(self))
        return None if key is None or key is _NOT_A_NODE else self._ordersync_map[key](node)

    node_class = ast_nodes.Node
    stock_hook = ast_nodes.DepthFirstTraverser.pre_processing_of_child

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        """moto's own walk, depth first, each node processed after its children. What each
        kind of node is to this processor (not a node, a node it leaves, or the type of its map
        it is processed as) is looked up once per kind, not by ABCMeta's isinstance twice a
        node and once per type of the map; the per-child hook is called only for the one
        processor that has one."""
        nodes_to_be_processed(self)
        plan = _PLANS[type(self)]
        processors = self._ordersync_map
        hook = self.pre_processing_of_child
        if hook.__func__ is stock_hook:
            hook = None

        def walk(node: Any, child_id: int) -> Any:
            kind = type(node)
            key = plan.get(kind, _UNPLANNED)
            if key is _UNPLANNED:
                key = plan[kind] = _plan_kind(kind, node_class, self._ordersync_types)
            if key is _NOT_A_NODE:
                return node
            parent_node = node.parent
            children = node.children
            if children is not None:
                for i, child_node in enumerate(children):
                    if hook is not None:
                        hook(node, i)
                    walk(child_node, i)
            if key is not None:
                node = processors[key](node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
            return node

        return walk(node, child_id)

    actions = (
        ast_nodes.UpdateExpressionSetAction,
        ast_nodes.UpdateExpressionRemoveAction,
        ast_nodes.UpdateExpressionDeleteAction,
        ast_nodes.UpdateExpressionAddAction,
    )

    def resolving_child(self: Any, parent_node: Any, child_id: int) -> None:
        # moto's hook, its isinstance on four ABC classes looked up once per kind: an action's
        # first child is the path being set, the others are values, resolved against the item.
        if _is_node(type(parent_node), actions):
            self.resolving = child_id != 0

    ast_nodes.DepthFirstTraverser.nodes_to_be_processed = nodes_to_be_processed
    ast_nodes.DepthFirstTraverser.process = process
    ast_nodes.DepthFirstTraverser.traverse_node_recursively = traverse_node_recursively
    validators.ExpressionAttributeResolvingProcessor.pre_processing_of_child = resolving_child

    static_checks = (
        validators.ActionCountValidator,
        validators.OverlappingPathsValidator,
        validators.UpdateHashRangeKeyValidator,
    )
    # Held weakly by the tree: what passed goes when the parse cache lets the tree go.
    valid: weakref.WeakKeyDictionary[Any, set[tuple[Any, ...]]] = weakref.WeakKeyDictionary()
    construct = validators.UpdateExpressionValidator.__init__

    def __init__(
        self: Any,
        expression: Any,
        expression_attribute_names: dict[str, str] | None,
        expression_attribute_values: Any,
        item: Any,
        table: Any,
    ) -> None:
        construct(
            self, expression, expression_attribute_names, expression_attribute_values, item, table
        )
        # The parsed tree is one object per expression string (_cache_update_expressions).
        names = tuple(sorted((expression_attribute_names or {}).items()))
        self._ordersync_tree = expression
        self._ordersync_key = (names, tuple(table.table_key_attrs))

    def validate(self: Any) -> Any:
        passed = valid.get(self._ordersync_tree)
        checked = passed is not None and self._ordersync_key in passed
        node = self.node_to_validate
        for processor in self.processors:
            if not (checked and isinstance(processor, static_checks)):
                node = processor.traverse(node)
        if not checked:
            passed = valid.setdefault(self._ordersync_tree, set())
            if len(passed) >= VALID_COMBINATIONS_KEPT:
                passed.clear()
            passed.add(self._ordersync_key)
        return node

    validators.UpdateExpressionValidator.__init__ = __init__  # type: ignore[method-assign]
    validators.UpdateExpressionValidator.validate = validate  # type: ignore[method-assign]
    validators.deepcopy = _clone_parsed_tree


_PLAIN_NODE = frozenset({"type", "children", "parent"})
_IMMUTABLE = (str, int, float, bool, type(None))


def _clone_parsed_tree(value: Any, memo: Any = None) -> Any:
    """copy.deepcopy for moto's parsed update expressions: a root node whose nodes hold only
    their type, children and parent, and whose leaves are immutable; anything else (a node
    inside a tree, a typed value) goes to copy.deepcopy."""
    from moto.dynamodb.parsing.ast_nodes import Node

    if isinstance(value, Node) and value.parent is None:
        twin = _clone_node(value, None, Node)
        if twin is not None:
            return twin
    return copy.deepcopy(value, memo)


_NOT_A_NODE = object()
_UNPLANNED = object()
# Per processor class, what each kind of value met in a walk is to it (filled as met).
_PLANS: collections.defaultdict[type, dict[type, Any]] = collections.defaultdict(dict)


def _plan_kind(kind: type, node_class: type, processed: tuple[type, ...]) -> Any:
    # Not a node; else the first type of the processor's map it is (moto's isinstance loop),
    # or None if it is none of them.
    if not issubclass(kind, node_class):
        return _NOT_A_NODE
    return next((key for key in processed if issubclass(kind, key)), None)


@functools.cache
def _is_node(kind: type, node_class: type | tuple[type, ...]) -> bool:
    # Node's metaclass is ABCMeta, whose isinstance is slow; node classes are never registered.
    return issubclass(kind, node_class)


def _clone_node(node: Any, parent: Any, node_class: type) -> Any:
    if node.__dict__.keys() != _PLAIN_NODE:
        return None
    twin = object.__new__(type(node))
    twin.type, twin.parent = node.type, parent
    if node.children is None:
        twin.children = None
        return twin
    children = []
    for child in node.children:
        if _is_node(type(child), node_class):
            child = _clone_node(child, twin, node_class)
            if child is None:
                return None
        elif not isinstance(child, _IMMUTABLE):
            return None
        children.append(child)
    twin.children = children
    return twin
