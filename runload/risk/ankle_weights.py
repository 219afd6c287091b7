"""``ankle_weights``: running with ankle weights, started or increased quickly.

The article's trigger 5, "pushing too hard with ankle weights", with its advice to start
slowly.  There is no injury-outcome evidence: ankle weights raise the energy cost of
running by about 5–8 % without changing its kinematics much (Claremont & Hall 1988),
so the grade is *practice*.

Only runs tagged as done with ankle weights count (:func:`mentions_ankle_weights`): the
activity ``name`` or ``notes`` mention them (:data:`ANKLE_WEIGHT_PATTERN`: English,
German and French wordings, and "ankle wts"/"ankle wt"), or the user ``tags`` mapping
gives the activity such a tag.  A mention preceded in its clause by a negation ("no
ankle weights today", "without ankle weights", "didn't use ankle weights", "ohne",
"sans") does not count.  The abbreviation "AW" (or "A.W."/"a.w.") counts only as a
whole word, in capitals, and next to a running context: after "with", "w/", "+" or
"mit" ("with AW", "w/ AW"), or before "run", "jog", "session" or a weight ("AW run",
"AW 1 kg").  A bare "aw" (an exclamation) or "AW" elsewhere (initials, "AWS") does
not; a user tag that is exactly "AW" does, since tags are deliberate.  Tagged runs
form blocks; a tagged run more than ``new_block_gap_days`` after the previous one
starts a new block.

* the first tagged run of a block → low (informative: "you started");
* more than ``max_start_runs`` tagged runs within the block's first ``start_days`` → moderate;
* a week (Monday–Sunday) whose tagged distance or number of tagged runs is more than
  ``growth_ratio`` × the previous week's (which had tagged runs) → moderate, more than
  ``high_growth_ratio`` × → high.

No history baseline applies: the tags themselves are the history.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .flag import Flag, make_flag, register_rule, run_table, setting

__all__ = [
    "ABBREVIATION_PATTERN",
    "ANKLE_WEIGHT_PATTERN",
    "AnkleWeightsSettings",
    "ankle_weights",
    "mentions_ankle_weights",
    "tagged_runs",
]

_PRACTICE = "practice: the article's 'start slowly' (no injury data)"


@dataclass(frozen=True)
class AnkleWeightsSettings:
    """Settings of the ``ankle_weights`` rule (no injury evidence: practice).

    Attributes
    ----------
    start_days : int
        Length of the start of a block of tagged runs. [d]
    max_start_runs : int
        More tagged runs than this within the first ``start_days``: moderate.
    growth_ratio : float
        Tagged distance or number of runs in a week above this multiple of the previous
        week's: moderate. [1]
    high_growth_ratio : float
        Above this multiple: high. [1]
    new_block_gap_days : int
        A tagged run after this many days without one starts a new block. [d]
    """

    start_days: int = setting(14, unit="d", source=_PRACTICE)
    max_start_runs: int = setting(2, unit="1", source=_PRACTICE)
    growth_ratio: float = setting(2.0, unit="1", source=_PRACTICE)
    high_growth_ratio: float = setting(4.0, unit="1", source=_PRACTICE)
    new_block_gap_days: int = setting(28, unit="d", source=_PRACTICE)


_D = AnkleWeightsSettings()

#: Wordings that mark a run done with ankle weights (case-insensitive).
ANKLE_WEIGHT_PATTERN: re.Pattern[str] = re.compile(
    r"ankle[\s_-]*(?:weights?|wghts?|wts?\b\.?|wt\b\.?)"
    r"|weighted[\s_-]+ankles?"
    r"|(?:kn(?:ö|oe)chel|fu(?:ß|ss)|sprunggelenk)[\s_-]*gewicht(?:e|en)?"
    r"|gewichts?manschetten?"
    r"|(?:poids|lests?)[\s_-]*(?:aux|aux[\s_-]+|de|des|pour[\s_-]+les)?[\s_-]*chevilles?"
    r"|chevill[eè]res?[\s_-]+lest[ée]e?s?",
    re.IGNORECASE,
)

#: The abbreviation, case-sensitive, in a running context (see the module notes).
ABBREVIATION_PATTERN: re.Pattern[str] = re.compile(
    r"(?:(?i:\bwith|\bw/|\+|\bmit)\s*(?:AW|A\.W\.|a\.w\.)(?![A-Za-z0-9]))"
    r"|(?:(?<![A-Za-z0-9.])(?:AW|A\.W\.|a\.w\.)\s*"
    r"(?i:runs?\b|jog|session|\d+(?:[.,]\d+)?\s*(?:kg|lbs?)\b))"
)

_NEGATIONS = frozenset(
    {
        "no", "not", "without", "w/o", "didn't", "didnt", "don't", "dont", "never",
        "skipped", "forgot", "ohne", "kein", "keine", "keinen", "sans", "pas", "none",
    }
)  # fmt: skip
_POSITIVE = frozenset({"with", "w/", "mit", "avec", "using", "wearing"})
_WORD = re.compile(r"[\w'/+]+")


def _negated(before: str) -> bool:
    """Whether the clause before a mention negates it (nearest 4 words, stop at 'with')."""
    clause = re.split(r"[.,;:!?\n()]", before.replace("’", "'"))[-1]
    words = _WORD.findall(clause.lower())[-4:]
    for word in reversed(words):
        if word in _POSITIVE:
            return False
        if word in _NEGATIONS:
            return True
    return False


def mentions_ankle_weights(text: str, *, tag: bool = False) -> bool:
    """Whether ``text`` says a run was done with ankle weights.

    Parameters
    ----------
    text : str
        An activity name, notes, or a user tag.
    tag : bool
        True for a user tag: then a tag that is exactly "AW" or "A.W." (any case) counts.

    Returns
    -------
    bool
        True when some mention is not negated (see the module notes).
    """
    if tag and text.strip().lower() in ("aw", "a.w.", "a.w"):
        return True
    for pattern in (ANKLE_WEIGHT_PATTERN, ABBREVIATION_PATTERN):
        for match in pattern.finditer(text):
            if not _negated(text[: match.start()]):
                return True
    return False


REFERENCE = (
    "Claremont & Hall, Med Sci Sports Exerc 1988 (+5–8 % energy cost, kinematics "
    "unchanged); no injury-outcome data"
)
ADVICE = (
    "Start slowly with ankle weights: a few short runs at first, then add distance or "
    "sessions step by step rather than doubling them from one week to the next."
)


def _tag_texts(value: Iterable[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def tagged_runs(
    activities: pd.DataFrame, *, tags: Mapping[str, Iterable[str] | str] | None = None
) -> pd.DataFrame:
    """The runs done with ankle weights, chronological.

    Parameters
    ----------
    activities : DataFrame
        The activities table (``name`` and ``notes`` are searched).
    tags : mapping, optional
        ``activity_id`` → a tag or an iterable of tags; a tag matching
        :data:`ANKLE_WEIGHT_PATTERN` (e.g. ``"ankle_weights"``) marks the run.

    Returns
    -------
    DataFrame
        Index ``activity_id``; columns ``local_date`` (datetime.date), ``distance_km`` [km].
    """
    runs = run_table(activities)
    tags = tags or {}
    ids = runs.index.tolist()
    mask = np.zeros(len(ids), dtype=bool)
    if tags:
        for k, i in enumerate(ids):
            mask[k] = any(mentions_ankle_weights(t, tag=True) for t in _tag_texts(tags.get(i)))
    for column in ("name", "notes"):
        if column in activities.columns:
            values = activities[column].reindex(runs.index).tolist()
            mask |= _mention_each(values)
    return runs.loc[mask, ["local_date", "distance_km"]]


def _mention_each(values: list[object]) -> np.ndarray:
    """Per value: a str for which :func:`mentions_ankle_weights` is True.

    Only the texts in which a pattern matches at all can mention ankle weights; they
    are found by one search of the texts joined with NUL, which no pattern can match
    across (NUL is neither a word character nor whitespace, as the start and end of a
    text are not), and only those are looked at closely.
    """
    out = np.zeros(len(values), dtype=bool)
    texts = [(k, v) for k, v in enumerate(values) if isinstance(v, str)]
    if not texts:
        return out
    if any("\0" in v for _, v in texts):
        for k, v in texts:
            out[k] = mentions_ankle_weights(v)
        return out
    joined = "\0".join(v for _, v in texts)
    starts = np.cumsum([0] + [len(v) + 1 for _, v in texts[:-1]])
    found: set[int] = set()
    for pattern in (ANKLE_WEIGHT_PATTERN, ABBREVIATION_PATTERN):
        for match in pattern.finditer(joined):
            found.add(int(np.searchsorted(starts, match.start(), side="right")) - 1)
    for t in sorted(found):
        k, v = texts[t]
        out[k] = mentions_ankle_weights(v)
    return out


@register_rule(
    "ankle_weights",
    evidence="practice",
    reference=REFERENCE,
    advice=ADVICE,
    settings=AnkleWeightsSettings,
)
def ankle_weights(
    activities: pd.DataFrame,
    *,
    start_days: int = _D.start_days,
    max_start_runs: int = _D.max_start_runs,
    growth_ratio: float = _D.growth_ratio,
    high_growth_ratio: float = _D.high_growth_ratio,
    new_block_gap_days: int = _D.new_block_gap_days,
    tags: Mapping[str, Iterable[str] | str] | None = None,
) -> list[Flag]:
    """Flag the start of ankle-weight running and a build-up faster than a slow one.

    Parameters
    ----------
    activities : DataFrame
        The activities table.
    start_days : int
        Length of a block's start. [d]
    max_start_runs : int
        Most tagged runs allowed within the start before a moderate flag.
    growth_ratio, high_growth_ratio : float
        Week ÷ previous week (distance or count) above which: moderate, high. [1]
    new_block_gap_days : int
        Gap after which a tagged run starts a new block. [d]
    tags : mapping, optional
        ``activity_id`` → tag(s); see :func:`tagged_runs`.

    Returns
    -------
    list of Flag
        Metrics: ``tagged_runs`` (start and fast start, on the run), and
        ``tagged_growth_ratio`` (weekly growth, on the week's Monday).
    """
    runs = tagged_runs(activities, tags=tags)
    if runs.empty:
        return []
    dates: list[dt.date] = list(runs["local_date"])
    km = np.nan_to_num(runs["distance_km"].to_numpy(dtype=float), nan=0.0)
    ids = list(map(str, runs.index.tolist()))
    blocks: list[list[int]] = []
    for i, date in enumerate(dates):
        if not blocks or (date - dates[blocks[-1][-1]]).days > new_block_gap_days:
            blocks.append([])
        blocks[-1].append(i)
    out: list[Flag] = []
    for block in blocks:
        first = block[0]
        out.append(
            make_flag(
                "ankle_weights",
                date=dates[first],
                severity="low",
                metric="tagged_runs",
                value=1.0,
                threshold=1.0,
                message=(
                    f"Your run of {km[first]:.1f} km on {dates[first].isoformat()} is the first "
                    "one tagged with ankle weights"
                    + ("" if first == 0 else f" in more than {new_block_gap_days} days")
                    + ". Ankle weights make running about 5–8 % more costly in energy; "
                    "there are no injury data, so go by how your ankles feel."
                ),
                activity_ids=(ids[first],),
            )
        )
        start_end = dates[first] + dt.timedelta(days=start_days - 1)
        in_start = [i for i in block if dates[i] <= start_end]
        if len(in_start) > max_start_runs:
            i = in_start[max_start_runs]
            out.append(
                make_flag(
                    "ankle_weights",
                    date=dates[i],
                    severity="moderate",
                    metric="tagged_runs",
                    value=float(len(in_start)),
                    threshold=float(max_start_runs),
                    message=(
                        f"You did {len(in_start)} runs with ankle weights within the first "
                        f"{start_days} days ({dates[first].isoformat()} to "
                        f"{start_end.isoformat()}), more than the {max_start_runs} of a slow "
                        "start."
                    ),
                    activity_ids=tuple(ids[j] for j in in_start),
                )
            )
        out += _growth(block, dates, km, ids, growth_ratio, high_growth_ratio)
    return out


def _growth(
    block: list[int],
    dates: list[dt.date],
    km: np.ndarray,
    ids: list[str],
    growth_ratio: float,
    high_growth_ratio: float,
) -> list[Flag]:
    weeks: dict[dt.date, list[int]] = {}
    for i in block:
        weeks.setdefault(dates[i] - dt.timedelta(days=dates[i].weekday()), []).append(i)
    out: list[Flag] = []
    for week, members in weeks.items():
        previous = weeks.get(week - dt.timedelta(days=7))
        if not previous:
            continue
        km_now, km_before = float(km[members].sum()), float(km[previous].sum())
        n_now, n_before = len(members), len(previous)
        km_ratio = km_now / km_before if km_before > 0 else float("nan")
        n_ratio = n_now / n_before
        growth = float(np.nanmax([km_ratio, n_ratio]))
        shown = round(growth, 1)  # compared as the message shows it
        if not shown > growth_ratio:
            continue
        severity = "high" if shown > high_growth_ratio else "moderate"
        out.append(
            make_flag(
                "ankle_weights",
                date=week,
                severity=severity,
                metric="tagged_growth_ratio",
                value=growth,
                threshold=growth_ratio,
                message=(
                    f"In the week of {week.isoformat()} you ran {n_now} times with ankle "
                    f"weights for {km_now:.1f} km, against {n_before} runs and "
                    f"{km_before:.1f} km the week before: {growth:.1f} times as much, faster "
                    f"than a slow build-up (flag above {growth_ratio:g} times)."
                ),
                activity_ids=tuple(ids[j] for j in members),
            )
        )
    return out
