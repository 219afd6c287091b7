"""Every risk threshold in one place: :class:`RiskProfile`.

Defaults come from /work/shared/EVIDENCE.md (sources in docs/risk.md).  A profile
is per athlete: load one from TOML, e.g.::

    athlete = "Ann"
    disabled = ["ankle_weights"]

    [distance_jump]
    change_ratio = 1.3

    [worn_shoes]
    limit_km = 800.0

    [worn_shoes.shoe_limits_km]
    "Pegasus 40" = 650.0

Each table is named after a rule's trigger id and holds that rule's keyword-only
thresholds.  Unknown tables or keys raise a ValueError naming the key.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "AnkleWeightsSettings",
    "DistanceJumpSettings",
    "LongRunSpikeSettings",
    "RiskProfile",
    "TreadmillToRoadSettings",
    "UphillOverloadSettings",
    "WornShoesSettings",
]


@dataclass(frozen=True)
class DistanceJumpSettings:
    """Thresholds of the ``distance_jump`` rule (weekly distance rising sharply).

    Attributes
    ----------
    change_ratio : float
        Flag when this week's distance ÷ last week's exceeds it (Nielsen 2014: > 30 %).
    large_change_ratio : float
        A rise above this counts as a second signal (raises the severity).
    acwr_ratio : float
        Uncoupled acute:chronic ratio at or above which the week counts as a third
        signal (Gabbett 2016 "danger" zone; context only, Impellizzeri 2021).
    min_week_km : float
        Weeks shorter than this are never flagged. [km]
    baseline_days : int
        Days of running history needed before the week starts. [d]
    """

    change_ratio: float = 1.30
    large_change_ratio: float = 1.60
    acwr_ratio: float = 1.5
    min_week_km: float = 10.0
    baseline_days: int = 28


@dataclass(frozen=True)
class LongRunSpikeSettings:
    """Thresholds of the ``long_run_spike`` rule (Frandsen et al. 2025 bands).

    Attributes
    ----------
    spike_ratio : float
        Flag (low) when a run ÷ the longest run of the preceding 30 days exceeds it.
    moderate_ratio : float
        Above it: moderate (Frandsen's +30–100 % band).
    high_ratio : float
        Above it: high (Frandsen's > +100 % band).
    min_distance_km : float
        Runs shorter than this are never flagged (a practical floor). [km]
    window_days : int
        The run is compared with the longest run of this many preceding days. [d]
    baseline_days : int
        Days of running history needed before the run (Frandsen's 30-day window). [d]
    """

    spike_ratio: float = 1.10
    moderate_ratio: float = 1.30
    high_ratio: float = 2.00
    min_distance_km: float = 3.0
    window_days: int = 30
    baseline_days: int = 30


@dataclass(frozen=True)
class TreadmillToRoadSettings:
    """Thresholds of the ``treadmill_to_road`` rule.

    Attributes
    ----------
    window_weeks : int
        Length of the period before an outdoor run that is looked at. [weeks]
    treadmill_share : float
        Minimal share of that period's running distance done on a treadmill (0–1).
    distance_share : float
        Flag (low) when the outdoor run is at least this fraction of the mean treadmill
        run distance of the period.
    longer_ratio : float
        At or above this multiple of the mean treadmill run: moderate.
    high_ratio : float
        At or above this multiple: high.
    adapted_ratio : float
        Not flagged when an outdoor run of at least ``distance / adapted_ratio`` was done
        within the period (the runner already runs that far outdoors).
    baseline_days : int
        Days of running history needed before the run. [d]
    """

    window_weeks: int = 4
    treadmill_share: float = 0.60
    distance_share: float = 0.80
    longer_ratio: float = 1.00
    high_ratio: float = 1.50
    adapted_ratio: float = 1.30
    baseline_days: int = 28


@dataclass(frozen=True)
class UphillOverloadSettings:
    """Thresholds of the ``uphill_overload`` rule (self-relative, Gottschall & Kram 2005).

    Attributes
    ----------
    ascent_ratio : float
        Flag when the week's ascent exceeds this multiple of the mean of the previous
        ``window_weeks`` weeks; the same multiple applies to ascent per km.
    window_weeks : int
        Number of previous weeks forming the runner's norm. [weeks]
    min_week_ascent_m : float
        Weeks with less ascent are never flagged. [m]
    hilly_run_m_per_km : float
        A run with at least this ascent per km counts as a hilly run. [m/km]
    baseline_days : int
        Days of running history needed before the week starts. [d]
    """

    ascent_ratio: float = 1.5
    window_weeks: int = 4
    min_week_ascent_m: float = 250.0
    hilly_run_m_per_km: float = 20.0
    baseline_days: int = 28


@dataclass(frozen=True)
class WornShoesSettings:
    """Thresholds of the ``worn_shoes`` rule (Cook et al. 1985, practice).

    Attributes
    ----------
    limit_km : float
        Replacement mileage: crossing it gives a moderate flag. [km]
    warn_fraction : float
        Crossing ``warn_fraction × limit`` gives a low flag (480 of 800 km). [1]
    rotation_weeks : int
        Window in which shoes used in parallel are counted (context only). [weeks]
    shoe_limits_km : mapping of str to float
        Per-shoe replacement mileage, overriding ``limit_km``. [km]
    """

    limit_km: float = 800.0
    warn_fraction: float = 0.6
    rotation_weeks: int = 4
    shoe_limits_km: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shoe_limits_km", MappingProxyType(dict(self.shoe_limits_km)))


@dataclass(frozen=True)
class AnkleWeightsSettings:
    """Thresholds of the ``ankle_weights`` rule (no injury evidence: practice).

    Attributes
    ----------
    start_days : int
        Length of the start of a block of tagged runs. [d]
    max_start_runs : int
        More tagged runs than this within the first ``start_days``: moderate.
    growth_ratio : float
        Tagged distance or number of runs in a week above this multiple of the previous
        week's: moderate.
    high_growth_ratio : float
        Above this multiple: high.
    new_block_gap_days : int
        A tagged run after this many days without one starts a new block. [d]
    """

    start_days: int = 14
    max_start_runs: int = 2
    growth_ratio: float = 2.0
    high_growth_ratio: float = 4.0
    new_block_gap_days: int = 28


_SECTIONS: dict[str, type] = {
    "distance_jump": DistanceJumpSettings,
    "long_run_spike": LongRunSpikeSettings,
    "treadmill_to_road": TreadmillToRoadSettings,
    "uphill_overload": UphillOverloadSettings,
    "worn_shoes": WornShoesSettings,
    "ankle_weights": AnkleWeightsSettings,
}


@dataclass(frozen=True)
class RiskProfile:
    """All thresholds of the risk rules, for one athlete.

    Attributes
    ----------
    athlete : str
        Free label.
    disabled : tuple of str
        Trigger ids of rules not to run.
    distance_jump, long_run_spike, treadmill_to_road, uphill_overload, worn_shoes, \
ankle_weights
        The settings of each rule (see the ``*Settings`` classes).
    """

    athlete: str = ""
    disabled: tuple[str, ...] = ()
    distance_jump: DistanceJumpSettings = field(default_factory=DistanceJumpSettings)
    long_run_spike: LongRunSpikeSettings = field(default_factory=LongRunSpikeSettings)
    treadmill_to_road: TreadmillToRoadSettings = field(default_factory=TreadmillToRoadSettings)
    uphill_overload: UphillOverloadSettings = field(default_factory=UphillOverloadSettings)
    worn_shoes: WornShoesSettings = field(default_factory=WornShoesSettings)
    ankle_weights: AnkleWeightsSettings = field(default_factory=AnkleWeightsSettings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "disabled", tuple(self.disabled))

    # -- access --------------------------------------------------------------------------

    def options(self, trigger: str) -> dict[str, Any]:
        """Keyword arguments of rule ``trigger`` ({} for a rule without a section here)."""
        section = getattr(self, trigger, None) if trigger in _SECTIONS else None
        if section is None:
            return {}
        return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}

    def shoe_limit_km(self, shoe: str) -> float:
        """The replacement mileage of ``shoe``. [km]"""
        return float(self.worn_shoes.shoe_limits_km.get(shoe, self.worn_shoes.limit_km))

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
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "athlete":
                if not isinstance(value, str):
                    raise ValueError(f"{source}: 'athlete' must be a string")
                kwargs["athlete"] = value
            elif key == "disabled":
                if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                    raise ValueError(f"{source}: 'disabled' must be a list of trigger ids")
                unknown = [v for v in value if v not in _SECTIONS]
                if unknown:
                    raise ValueError(
                        f"{source}: unknown trigger {unknown[0]!r} in 'disabled' "
                        f"(known: {', '.join(_SECTIONS)})"
                    )
                kwargs["disabled"] = tuple(value)
            elif key in _SECTIONS:
                kwargs[key] = _section_from_dict(_SECTIONS[key], key, value, source)
            else:
                raise ValueError(
                    f"{source}: unknown key {key!r} (known: athlete, disabled, "
                    f"{', '.join(_SECTIONS)})"
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
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{p}: invalid TOML: {exc}") from exc
        return cls.from_dict(data, source=str(p))

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict, the inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {"athlete": self.athlete, "disabled": list(self.disabled)}
        for name in _SECTIONS:
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
        if isinstance(default, Mapping):
            if not isinstance(item, Mapping):
                raise ValueError(f"{where} must be a table of name = number")
            kwargs[key] = {str(k): _number(v, f"{where}.{k}") for k, v in item.items()}
        elif isinstance(default, int):
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                raise ValueError(f"{where} must be a non-negative integer, not {item!r}")
            kwargs[key] = item
        else:
            kwargs[key] = _number(item, where)
    return cls(**kwargs)


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
