"""Reading a parsed TOML document key by key, so that every problem names its file and key.

Rules:
- Every read says what it expects; a wrong type, a missing key or an invalid value raises PolicyError with the
  file, the dotted key and the problem, e.g. `owkin.toml: plans.standard.targets.P1.response: invalid duration`.
- Keys nobody read are refused (`unknown key`), so a typo never silently drops a rule.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class PolicyError(ValueError):
    """An invalid policy: the message names the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")
        self.source, self.key, self.problem = source, key, problem


@dataclass
class Reader:
    """A table of the document at a dotted key path; remembers which of its keys were read."""

    source: str
    path: str
    table: dict[str, Any]
    _read: set[str] = field(default_factory=set)

    def error(self, problem: str, key: str | None = None) -> PolicyError:
        return PolicyError(self.source, self._key(key), problem)

    def has(self, key: str) -> bool:
        return key in self.table

    def names(self) -> Iterator[str]:
        self._read.update(self.table)
        return iter(list(self.table))

    def value(self, key: str, kind: type[T], default: T | None = None, *, required: bool = False) -> T:
        """The value at `key`, of type `kind`; the default when absent (an error if required)."""
        self._read.add(key)
        if key not in self.table:
            if required or default is None:
                raise self.error("is required", key)
            return default
        found = self.table[key]
        if kind is float and isinstance(found, int) and not isinstance(found, bool):
            found = float(found)
        if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
            raise self.error(f"must be {_kind_name(kind)}, not {_kind_name(type(found))}", key)
        return found

    def optional(self, key: str, kind: type[T]) -> T | None:
        """The value at `key`, or None when absent."""
        if key not in self.table:
            self._read.add(key)
            return None
        return self.value(key, kind)

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """A list of strings (or one string) at `key`."""
        if key not in self.table:
            self._read.add(key)
            return default
        found = self.table[key]
        self._read.add(key)
        if isinstance(found, str):
            return (found,)
        if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
            raise self.error("must be a list of strings", key)
        return tuple(found)

    def child(self, key: str, *, required: bool = False) -> "Reader":
        """The sub-table at `key` (empty when absent and not required)."""
        return Reader(self.source, self._key(key), self.value(key, dict, {}, required=required))

    def children(self, key: str) -> list["Reader"]:
        """The array of tables at `key`."""
        items = self.value(key, list, [])
        readers = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.error("must be a list of tables", key)
            readers.append(Reader(self.source, f"{self._key(key)}[{index}]", item))
        return readers

    def parsed(self, key: str, parse: Callable[[str], T], default: T | None = None) -> T:
        """A string at `key` turned into a value by `parse`; its ValueError becomes a PolicyError here."""
        if key not in self.table:
            self._read.add(key)
            if default is None:
                raise self.error("is required", key)
            return default
        text = self.value(key, str)
        try:
            return parse(text)
        except ValueError as problem:
            raise self.error(str(problem), key) from problem

    def parsed_optional(self, key: str, parse: Callable[[str], T]) -> T | None:
        """Like `parsed`, but None when the key is absent."""
        if key not in self.table:
            self._read.add(key)
            return None
        return self.parsed(key, parse)

    def allow(self, *names: str) -> None:
        """Refuse unknown keys now, before a missing key hides a misspelt one."""
        unknown = sorted(set(self.table) - set(names))
        if unknown:
            raise self.error("unknown key", unknown[0])

    def done(self) -> None:
        """Refuse keys that were never read."""
        unknown = sorted(set(self.table) - self._read)
        if unknown:
            raise self.error("unknown key", unknown[0])

    def _key(self, key: str | None) -> str:
        if key is None:
            return self.path
        return f"{self.path}.{key}" if self.path else key


def _kind_name(kind: type) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list"}
    return names.get(kind, "a table" if kind is dict else kind.__name__)
