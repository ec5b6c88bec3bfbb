"""Safe YAML loading that remembers where each value came from, for `file:line` messages."""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):
    """A mapping that knows its own line and the line of each key's value."""

    line: int = 0
    value_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.value_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader (never yaml.load's full loader) that also records duplicate keys."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml, when PyYAML has it
    """The same loader on the C parser: loading the knowledge base is most of `mlrole ask`'s start-up."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.value_lines = {}
    yield data
    seen: set[Any] = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:  # never repr() it: a small alias bomb is gigabytes as text
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be text, not {'a list' if isinstance(key, list) else 'a mapping'}",
                key_node.start_mark) from None
        if key in seen:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        seen.add(key)
        data[key] = loader.construct_object(value_node, deep=True)
        data.value_lines[str(key)] = value_node.start_mark.line + 1


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date-looking scalar that is no real date (2025-13-01) stays text, for the schema to report."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    _loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """Parse one document; return it with (line, key) pairs of keys given twice in a mapping.

    The C parser reads; when it fails, the Python parser reads again, because its error marks
    point at the line a person has to fix.
    """
    fast = _FastLineLoader(text)
    try:
        return fast.get_single_data(), fast.duplicate_keys
    except (yaml.YAMLError, RecursionError):
        pass
    finally:
        fast.dispose()
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "<stream end>" in str(exc.problem):
            mark = exc.context_mark  # "unclosed [" is found at the end; point at where it opened
        line = mark.line + 1 if mark else 1
        context = f" ({exc.context})" if exc.context and mark is exc.context_mark else ""
        raise YamlSyntaxError(line, f"YAML syntax error: {exc.problem or exc}{context}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"YAML error: {exc}") from None
    except RecursionError:
        line = loader.get_mark().line + 1 if loader.get_mark() is not None else 1
        raise YamlSyntaxError(line, "nested too deeply (brackets or indentation hundreds of levels "
                                    "deep); flatten it") from None
    finally:
        loader.dispose()
