"""YAML, read safely, with libyaml's parser when PyYAML has it.

The pure-Python parser takes ~0.3 s for an assignment's checks and longer for a large
Gradescope export's metadata; libyaml's builds the same plain types (safe loading only).

Files that do not come from the course (an export's metadata) are read with
:func:`load_untrusted`: safe loading shares an aliased node instead of copying it, so a few
hundred bytes of ``&a [*b, *b, ...]`` become a value that takes gigabytes to walk or write.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RefusedYAML(yaml.YAMLError):
    """Valid YAML that :func:`load_untrusted` will not build (aliases, nesting too deep)."""


def safe_load(text: str) -> Any:
    """Like :func:`yaml.safe_load`; raises :class:`yaml.YAMLError` the same way."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python


def load_untrusted(text: str) -> Any:
    """Like :func:`safe_load`, but an alias (``*name``) is refused: raises :class:`RefusedYAML`.

    >>> load_untrusted("a: &x [1]\\nb: *x")  # RefusedYAML: ... aliases (*name) ... (line 2, column 4)
    """
    try:
        return yaml.load(text, Loader=_UNTRUSTED_LOADER)  # noqa: S506 - safe constructor, aliases refused
    except RecursionError:
        # the composer recurses once per level of block nesting
        raise RefusedYAML("YAML nested too deeply") from None


class _NoAliases:
    """The composer step of a loader, refusing aliases before one is resolved."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            raise RefusedYAML(f"YAML aliases (*name) are not accepted here "
                              f"(line {mark.line + 1}, column {mark.column + 1})")
        return super().compose_node(parent, index)


if hasattr(yaml, "CSafeLoader"):
    class _UntrustedLoader(_NoAliases, Composer, yaml.cyaml.CParser, SafeConstructor, Resolver):
        """libyaml's events (fast), composed in Python so that aliases can be refused."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

    _UNTRUSTED_LOADER: type = _UntrustedLoader
else:  # pragma: no cover - PyYAML built without libyaml
    class _UntrustedPyLoader(_NoAliases, yaml.SafeLoader):
        pass

    _UNTRUSTED_LOADER = _UntrustedPyLoader
