"""moto's DynamoDB Query, without sorting the whole table first.

moto answers every Query by listing every item of the table sorted by its primary key (a
Python comparison per step of the sort), then keeping those of the asked partition and
sorting them again by the index's keys. The first sort grows as N log N with the table: in
the 2,000-order soak, whose operations table reaches thousands of items, it was most of the
time of the blocked-operations lookup that follows every creation's run. Within a Query the
local stack hands moto's walk the items unsorted, and for a query on the table's own key only
that partition's items: the walk keeps the same items, and the final sort (by the index's
keys and then the table's, a total order) puts them in the same order as before.
"""

import threading
from typing import Any

PATCHED = "_ordersync_query_without_table_sort"


def apply() -> None:
    """Install the patch once per process."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, PATCHED, False):
        return
    _walk_only_what_the_query_can_match(Table)
    setattr(Table, PATCHED, True)


def _walk_only_what_the_query_can_match(table_class: Any) -> None:
    stock_query = table_class.query
    stock_all_items = table_class.all_items
    # Which Query this thread is answering, if any: moto's query calls all_items() with no
    # argument, so the partition it asks for travels beside the call (Scan and the others
    # that list all items are not in a Query and get moto's sorted list).
    querying = threading.local()

    def all_items(table: Any) -> list[Any]:
        asked = getattr(querying, "asked", None)
        if asked is None or asked[0] is not table:
            return stock_all_items(table)
        partition = asked[1]
        if partition is None:
            chosen = table.items.values()
        else:
            found = table.items.get(partition)
            chosen = [] if found is None else [found]
        if not table.range_key_attr:
            return list(chosen)
        return [item for hash_set in chosen for item in hash_set.values()]

    def query(table: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        # On the table's own key the walk keeps `item.hash_key == hash_key`: one partition.
        partition = hash_key if not index_name and hash_key is not None else None
        outer = getattr(querying, "asked", None)
        querying.asked = (table, partition)
        try:
            return stock_query(table, hash_key, *args, **kwargs)
        finally:
            querying.asked = outer

    table_class.all_items = all_items
    table_class.query = query
