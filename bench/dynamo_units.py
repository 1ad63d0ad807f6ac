"""DynamoDB capacity units from item sizes, as on-demand tables bill them.

moto does not compute ConsumedCapacity reliably, so the benchmark computes it from the items
themselves, by the published rules:
- item size: each attribute's name (UTF-8 bytes) plus its value: a string's UTF-8 bytes, a
  binary's bytes, a number about one byte per two significant digits plus one, a boolean or null
  one byte, a list or map 3 bytes plus one per element plus its elements (a map's keys count as
  names), a set the sum of its elements;
- a write: one write unit per 1 KB of the larger of the item before and after (at least one),
  also when a condition fails (then of the item as it stands); transactional writes double;
- a read: one read unit per 4 KB (strongly consistent), half that eventually consistent, at
  least one unit's worth even when nothing is found; a Query sums the items it reads first;
- each global secondary index costs its own writes: one to add an entry, one to remove it, two
  when an index key changes (remove, then add), one when only a projected attribute changes;
  an entry's size is the table's and the index's keys plus the projected attributes.
"""

import base64
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Item = dict[str, dict[str, Any]]  # DynamoDB JSON: {"name": {"S": "value"}}

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]  # the index's own key attributes
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableShape:
    name: str
    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len(digits) if any(digits) else 1
    return math.ceil(significant / 2) + 1


def _binary_size(value: Any) -> int:
    return len(value) if isinstance(value, bytes | bytearray) else len(base64.b64decode(value))


def value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return _number_size(str(content))
    if kind == "B":
        return _binary_size(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(element).encode()) for element in content)
    if kind == "NS":
        return sum(_number_size(str(element)) for element in content)
    if kind == "BS":
        return sum(_binary_size(element) for element in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(v) for name, v in content.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: Item | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def _entry(item: Item, table: TableShape, index: Index) -> Item | None:
    """The index entry for `item`, or None when the item lacks one of the index's keys."""
    if any(key not in item for key in index.keys):
        return None
    if index.projection == "ALL":
        return dict(item)
    kept = set(table.keys) | set(index.keys)
    if index.projection == "INCLUDE":
        kept |= set(index.included)
    return {name: value for name, value in item.items() if name in kept}


def index_write_units(table: TableShape, before: Item | None, after: Item | None) -> int:
    """Write units the table's global secondary indexes consume for one item's change."""
    total = 0
    for index in table.indexes:
        old = _entry(before, table, index) if before else None
        new = _entry(after, table, index) if after else None
        if old is None and new is None:
            continue
        if old is None or new is None:
            total += write_units(item_size(old or new))
        elif any(old.get(key) != new.get(key) for key in index.keys):
            total += write_units(item_size(old)) + write_units(item_size(new))
        elif old != new:
            total += write_units(max(item_size(old), item_size(new)))
    return total


@dataclass
class WriteCost:
    table_units: int
    index_units: int

    @property
    def total(self) -> int:
        return self.table_units + self.index_units


def write_cost(
    table: TableShape,
    before: Item | None,
    after: Item | None,
    *,
    applied: bool = True,
    transactional: bool = False,
) -> WriteCost:
    """The write units of one PutItem, UpdateItem or DeleteItem (`after` None for a delete).
    A write whose condition failed (`applied` False) costs the table only, by the item as it is."""
    factor = 2 if transactional else 1
    if not applied:
        return WriteCost(factor * write_units(item_size(before)), 0)
    table_units = write_units(max(item_size(before), item_size(after)))
    return WriteCost(factor * table_units, factor * index_write_units(table, before, after))
