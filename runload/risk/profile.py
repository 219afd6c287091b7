"""Every risk threshold in one place: :class:`RiskProfile`, built from the rule registry.

Each rule declares its settings (a frozen dataclass with defaults, units and sources)
in its own module and registers them with :func:`runload.risk.flag.register_rule`;
the profile has one section per registered rule with settings, named after its
trigger id.  A profile is per athlete: load one from TOML, e.g.::

    athlete = "Ann"
    disabled = ["ankle_weights"]

    [distance_jump]
    change_ratio = 1.3

    [worn_shoes]
    limit_km = 800.0

    [worn_shoes.shoe_limits_km]
    "Pegasus 40" = 650.0

Unknown tables or keys raise a ValueError naming the key.  Every number must lie
in its setting's range (:func:`runload.risk.flag.setting_range`): the range a rule
declares, else the range of its unit, from 0 up to 1000 for ratios, shares and
counts (``1``), 3650 days, 520 weeks, 100,000 km, 1,000,000 m, 1000 m/km, 1000 mm,
500 kg; a value outside is an :class:`~runload.exceptions.InvalidOptionError` (a
ValueError) naming the file, the table, the key and the range, raised before any
work is done.  The settings classes
(``DistanceJumpSettings``...) live in the rule modules and can still be imported
from here by name.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from ..exceptions import InvalidOptionError
from .flag import rules, setting_range

__all__ = ["RiskProfile", "settings_classes"]


def settings_classes() -> dict[str, type]:
    """The settings dataclass of every registered rule that has one, by trigger id."""
    return {t: r.settings for t, r in rules().items() if r.settings is not None}


def __getattr__(name: str) -> type:
    # Backward compatibility: ``from runload.risk.profile import DistanceJumpSettings``.
    for cls in settings_classes().values():
        if cls.__name__ == name:
            return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class RiskProfile:
    """All settings of the risk rules, for one athlete (immutable).

    Parameters
    ----------
    athlete : str
        Free label.
    disabled : iterable of str
        Trigger ids of rules not to run.
    **sections
        One settings instance (or a mapping of its fields) per trigger id to change;
        the other rules keep their defaults.

    Attributes
    ----------
    athlete : str
    disabled : tuple of str
    <trigger id>
        The settings of each registered rule, e.g. ``profile.distance_jump.change_ratio``.
    """

    __slots__ = ("_sections", "athlete", "disabled")

    athlete: str
    disabled: tuple[str, ...]
    _sections: dict[str, Any]

    def __init__(self, athlete: str = "", disabled: Iterable[str] = (), **sections: Any) -> None:
        classes = settings_classes()
        unknown = [k for k in sections if k not in classes]
        if unknown:
            raise TypeError(
                f"RiskProfile got an unknown section {unknown[0]!r} (known: {', '.join(classes)})"
            )
        built: dict[str, Any] = {}
        for trigger, cls in classes.items():
            value = sections.get(trigger)
            if value is None:
                value = cls()
            elif isinstance(value, Mapping):
                value = _section_from_dict(cls, trigger, value, "RiskProfile")
            elif not isinstance(value, cls):
                raise TypeError(
                    f"RiskProfile({trigger}=...) must be a {cls.__name__}, "
                    f"not {type(value).__name__}"
                )
            built[trigger] = value
        object.__setattr__(self, "athlete", str(athlete))
        object.__setattr__(self, "disabled", tuple(disabled))
        object.__setattr__(self, "_sections", built)

    def __getattr__(self, name: str) -> Any:
        sections = object.__getattribute__(self, "_sections")
        if name in sections:
            return sections[name]
        raise AttributeError(f"RiskProfile has no section {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RiskProfile):
            return NotImplemented
        return (self.athlete, self.disabled, self._sections) == (
            other.athlete,
            other.disabled,
            other._sections,
        )

    def __hash__(self) -> int:
        return hash((self.athlete, self.disabled, tuple(self._sections.items())))

    def __repr__(self) -> str:
        parts = [f"athlete={self.athlete!r}", f"disabled={self.disabled!r}"]
        parts += [f"{k}={v!r}" for k, v in self._sections.items()]
        return f"RiskProfile({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # pickling (process pools) and deepcopy go through the plain-dict form
        return (_from_plain_dict, (self.to_dict(),))

    @property
    def sections(self) -> Mapping[str, Any]:
        """The settings instance of each rule, by trigger id (registry order)."""
        return dict(self._sections)

    def replace(self, **changes: Any) -> RiskProfile:
        """A copy with ``athlete``, ``disabled`` or whole sections replaced."""
        kwargs: dict[str, Any] = {"athlete": self.athlete, "disabled": self.disabled}
        kwargs.update(self._sections)
        kwargs.update(changes)
        return RiskProfile(**kwargs)

    # -- access --------------------------------------------------------------------------

    def options(self, trigger: str) -> dict[str, Any]:
        """Keyword arguments of rule ``trigger`` ({} for a rule without settings)."""
        section = self._sections.get(trigger)
        if section is None:
            return {}
        return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}

    def shoe_limit_km(self, shoe: str) -> float:
        """The replacement mileage of ``shoe``. [km]"""
        worn = self._sections["worn_shoes"]
        return float(worn.shoe_limits_km.get(shoe, worn.limit_km))

    # -- construction --------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "profile") -> RiskProfile:
        """Build a profile from nested mappings (as read from TOML).

        Parameters
        ----------
        data : mapping
            Top-level keys ``athlete``, ``disabled`` and one table per trigger id.
        source : str
            Name used in error messages (a file path).

        Raises
        ------
        ValueError
            On an unknown key (named with its table) or a value of the wrong type.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"{source}: a profile must be a mapping, not {type(data).__name__}")
        classes = settings_classes()
        known_rules = list(rules())
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "athlete":
                if not isinstance(value, str):
                    raise ValueError(f"{source}: 'athlete' must be a string")
                kwargs["athlete"] = value
            elif key == "disabled":
                if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"{source}: 'disabled' must be a list of trigger ids")
                unknown = [v for v in value if v not in known_rules]
                if unknown:
                    raise ValueError(
                        f"{source}: unknown trigger {unknown[0]!r} in 'disabled' "
                        f"(known: {', '.join(known_rules)})"
                    )
                kwargs["disabled"] = tuple(value)
            elif key in classes:
                kwargs[key] = _section_from_dict(classes[key], key, value, source)
            else:
                raise ValueError(
                    f"{source}: unknown key {key!r} (known: athlete, disabled, "
                    f"{', '.join(classes)})"
                )
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | PathLike[str]) -> RiskProfile:
        """Read a profile from a TOML file (see the module docstring for the layout).

        Raises
        ------
        ValueError
            On invalid TOML, an unknown key or a wrong type; the message names the file.
        """
        p = Path(path).expanduser()
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{p}: invalid TOML: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise InvalidOptionError(
                f"not UTF-8 text (byte {exc.start}: {exc.reason}); save the profile as UTF-8",
                path=str(p),
                reason="bad_profile",
            ) from exc
        return cls.from_dict(data, source=str(p))

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict, the inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {"athlete": self.athlete, "disabled": list(self.disabled)}
        for name in self._sections:
            section = self.options(name)
            out[name] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in section.items()}
        return out

    def to_toml(self) -> str:
        """The profile as TOML text, readable by :meth:`from_toml`."""
        lines = [f"athlete = {_toml_str(self.athlete)}"]
        lines.append("disabled = [" + ", ".join(_toml_str(d) for d in self.disabled) + "]")
        for name, section in self.to_dict().items():
            if not isinstance(section, dict):
                continue
            lines += ["", f"[{name}]"]
            nested = []
            for key, value in section.items():
                if isinstance(value, dict):
                    nested.append((key, value))
                else:
                    lines.append(f"{key} = {_toml_scalar(value)}")
            for key, table in nested:
                lines += ["", f"[{name}.{key}]"]
                lines += [f"{_toml_str(k)} = {_toml_scalar(v)}" for k, v in table.items()]
        return "\n".join(lines) + "\n"


def _from_plain_dict(data: dict[str, Any]) -> RiskProfile:
    return RiskProfile.from_dict(data)


def _section_from_dict(cls: type, name: str, value: Any, source: str) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError(f"{source}: [{name}] must be a table")
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            raise ValueError(
                f"{source}: unknown key {key!r} in [{name}] (known: {', '.join(known)})"
            )
        default = getattr(cls(), key)
        where = f"{source}: [{name}] {key}"
        low, high = setting_range(known[key])
        if isinstance(default, Mapping):
            if not isinstance(item, Mapping):
                raise ValueError(f"{where} must be a table of name = number")
            kwargs[key] = {
                str(k): _in_range(_number(v, f"{where}.{k}"), low, high, f"{where}.{k}")
                for k, v in item.items()
            }
        elif isinstance(default, int):
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                raise ValueError(f"{where} must be a non-negative integer, not {item!r}")
            kwargs[key] = int(_in_range(item, low, high, where))
        else:
            kwargs[key] = _in_range(_number(item, where), low, high, where)
    return cls(**kwargs)


def _in_range(value: float, low: float, high: float, where: str) -> float:
    if not low <= value <= high:
        raise InvalidOptionError(
            f"{where} = {value!r} is outside its range {low:g} to {high:g}",
            reason="out_of_range",
        )
    return value


def _number(item: Any, where: str) -> float:
    if isinstance(item, bool) or not isinstance(item, int | float):
        raise ValueError(f"{where} must be a number, not {item!r}")
    value = float(item)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where} must be a finite non-negative number, not {item!r}")
    return value


def _toml_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _toml_str(str(value))
