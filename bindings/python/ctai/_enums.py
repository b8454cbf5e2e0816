"""The closed vocabularies of libctai as :class:`enum.Enum` classes.

The classes are built at import time from the C++ spelling tables (``ctai::EnumTraits``,
the one source of truth that also feeds the exchange format, the SQL ``CHECK`` constraints
and the JSON values). Members are ``str`` subclasses whose value is the spelling, so
``Sex.female == "female"`` and every function accepts a member or its spelling.
``_enums.pyi`` lists the members for type checkers; a test checks it matches.
"""

from __future__ import annotations

import enum
from typing import Dict, Type

from . import _core

__all__ = sorted(_core.enum_spellings())


class CtaiEnum(str, enum.Enum):
    """Base of the ctai enums: a str-valued :class:`enum.Enum`."""

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        # Evaluates back (with `import ctai`) and reads well inside ctai reprs.
        return f"ctai.{type(self).__name__}.{self.name}"

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


def _build() -> Dict[str, Type[CtaiEnum]]:
    vocabularies = _core.enum_vocabularies()
    classes: Dict[str, Type[CtaiEnum]] = {}
    for name, spellings in _core.enum_spellings().items():
        cls = CtaiEnum(name, [(s, s) for s in spellings], module="ctai", qualname=name)  # type: ignore[call-overload]
        cls.__doc__ = (
            f"The `{vocabularies[name]}` vocabulary: "
            + ", ".join(repr(s) for s in spellings)
            + "."
        )
        classes[name] = cls
    return classes


ENUMS: Dict[str, Type[CtaiEnum]] = _build()
globals().update(ENUMS)

#: The stable reason codes (docs/rules.md, "Reason codes"): the vocabulary of the reason
#: columns of ``Store.eligibility_table(explain=True)``. Not a module attribute per member
#: (the spellings, e.g. ``R3.window_ended``, are not identifiers): ``ReasonCode["R4.bpi"]``.
ReasonCode: Type[CtaiEnum] = CtaiEnum(  # type: ignore[call-overload]
    "ReasonCode", [(s, s) for s in _core.reason_code_spellings()], module="ctai", qualname="ReasonCode"
)
#: Every vocabulary of a category column: the enums and ReasonCode.
VOCABULARIES: Dict[str, Type[CtaiEnum]] = {**ENUMS, "ReasonCode": ReasonCode}
