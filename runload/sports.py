"""The sport vocabulary, and the sport of an activity that nothing labels.

One home for what runload knows about sport names:

* **Canonical names.**  Sports are FIT-style enum names in lower case
  (``running``, ``cycling``, ``walking``, ``hiking``, ``swimming``, ...), with
  an optional sub-sport (``trail``, ``treadmill``, ``indoor_cycling``...).
  Every importer maps what its source writes onto these names with the
  functions here: :func:`gpx_sport` (``<trk><type>``), :func:`tcx_sport`
  (``Activity/@Sport``), :func:`strava_sport` (the ``activities.csv`` type)
  and :func:`garmin_sport` (the Garmin Connect type key).  FIT files already
  use these names.
* **Groups.**  :data:`FOOT_SPORTS` (cadence counted in steps),
  :data:`TREADMILL_SUB_SPORTS` (indoor running) and :data:`RUNNING_SPORTS`
  (what counts as running by default).
* **Cadence.**  :func:`cadence_spm` turns the cadence a file holds (strides of
  one foot, or steps) into steps per minute of both feet, for every reader.
* **Names.**  :func:`sport_from_name` reads a sport from an activity's title
  ("Morning Run", "Abendlauf", "Sortie vélo"...).
* **Content.**  :func:`infer_sport` classifies an activity that no file or
  export labels, from its moving-speed distribution, its cadence and its name.

This module is a leaf: it imports nothing else from runload, so readers, the
activity builder and the load functions can all import it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "CYCLING_MIN_P50_M_S",
    "CYCLING_MIN_P90_M_S",
    "FOOT_SPORTS",
    "GARMIN_TYPES",
    "GPX_TYPES",
    "INFERRED_SPORTS",
    "RUNNING_MAX_P50_M_S",
    "RUNNING_MAX_P95_M_S",
    "RUNNING_MAX_SPREAD_RATIO",
    "RUNNING_MIN_P50_M_S",
    "RUNNING_SPORTS",
    "STEPS_MIN_MEDIAN",
    "STRAVA_TYPES",
    "TCX_SPORTS",
    "TREADMILL_SUB_SPORTS",
    "UNKNOWN_SPORTS",
    "WALKING_MAX_P50_M_S",
    "SportGuess",
    "cadence_spm",
    "garmin_sport",
    "gpx_sport",
    "infer_sport",
    "sport_from_name",
    "strava_sport",
    "tcx_sport",
]

# ---------------------------------------------------------------------------------------------
# Groups of canonical names
# ---------------------------------------------------------------------------------------------

#: Sports whose cadence is counted in steps (running, walking, hiking).
FOOT_SPORTS: frozenset[str] = frozenset({"running", "walking", "hiking", "trail_running"})

#: Sub-sports that mean running indoors, on a belt or in an app (surface ``treadmill``).
TREADMILL_SUB_SPORTS: frozenset[str] = frozenset(
    {"treadmill", "indoor_running", "virtual_activity"}
)

#: Activities counted as running by default.  An entry ``"sport"`` matches that sport
#: with any sub-sport; an entry ``"sport/sub_sport"`` matches only that pair.  Running
#: sub-sports are listed explicitly so that a narrower selection can be built from this
#: set (``RUNNING_SPORTS - {"running"}`` keeps only the listed running sub-sports).
#: Walks, hikes and rides match nothing here.
RUNNING_SPORTS: frozenset[str] = frozenset(
    {
        "running",
        "trail_running",
        "running/treadmill",
        "running/indoor_running",
        "running/trail",
        "running/track",
        "running/street",
        "generic/treadmill",
    }
)

#: The sports :func:`infer_sport` can answer (besides None).
INFERRED_SPORTS: tuple[str, ...] = ("running", "cycling", "walking", "hiking")

# ---------------------------------------------------------------------------------------------
# Per-source tables
# ---------------------------------------------------------------------------------------------

#: GPX ``<trk><type>`` values (lower case, single spaces) → (sport, sub-sport or None).
#: Strava writes numbers: 9 is a run; 1 is a ride (corroborated by the corpus, where the
#: Strava and Garmin Connect exports of the same activity say ``1`` and ``cycling``).
GPX_TYPES: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        "running": ("running", None),
        "run": ("running", None),
        "9": ("running", None),
        "street_running": ("running", "street"),
        "trail_running": ("running", "trail"),
        "trail run": ("running", "trail"),
        "track_running": ("running", "track"),
        "treadmill_running": ("running", "treadmill"),
        "indoor_running": ("running", "indoor_running"),
        "walking": ("walking", None),
        "walk": ("walking", None),
        "hiking": ("hiking", None),
        "hike": ("hiking", None),
        "cycling": ("cycling", None),
        "biking": ("cycling", None),
        "bike": ("cycling", None),
        "ride": ("cycling", None),
        "1": ("cycling", None),
    }
)

#: TCX ``Activity/@Sport`` values (lower case) → sport.  The schema allows only these three.
TCX_SPORTS: Mapping[str, str] = MappingProxyType(
    {"running": "running", "biking": "cycling", "other": "generic"}
)

#: Strava activity type (letters only, lower case) → (sport, sub-sport or None).
STRAVA_TYPES: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        "run": ("running", None),
        "trailrun": ("running", "trail"),
        "virtualrun": ("running", "virtual_activity"),
        "walk": ("walking", None),
        "hike": ("hiking", None),
        "ride": ("cycling", None),
        "virtualride": ("cycling", "virtual_activity"),
        "ebikeride": ("cycling", "e_bike_fitness"),
        "mountainbikeride": ("cycling", "mountain"),
        "emountainbikeride": ("cycling", "e_bike_mountain"),
        "gravelride": ("cycling", "gravel_cycling"),
        "handcycle": ("cycling", "hand_cycling"),
        "velomobile": ("cycling", None),
        "swim": ("swimming", None),
        "rowing": ("rowing", None),
        "virtualrow": ("rowing", "indoor_rowing"),
        "kayaking": ("kayaking", None),
        "canoeing": ("paddling", None),
        "standuppaddling": ("stand_up_paddleboarding", None),
        "surfing": ("surfing", None),
        "kitesurf": ("kitesurfing", None),
        "windsurf": ("windsurfing", None),
        "sail": ("sailing", None),
        "nordicski": ("cross_country_skiing", None),
        "alpineski": ("alpine_skiing", None),
        "backcountryski": ("alpine_skiing", "backcountry"),
        "snowboard": ("snowboarding", None),
        "snowshoe": ("snowshoeing", None),
        "iceskate": ("ice_skating", None),
        "inlineskate": ("inline_skating", None),
        "rollerski": ("cross_country_skiing", "skate_skiing"),
        "workout": ("training", None),
        "weighttraining": ("training", "strength_training"),
        "crossfit": ("training", "cardio_training"),
        "hiit": ("training", "hiit"),
        "yoga": ("training", "yoga"),
        "pilates": ("training", "pilates"),
        "elliptical": ("fitness_equipment", "elliptical"),
        "stairstepper": ("fitness_equipment", "stair_climbing"),
        "rockclimbing": ("rock_climbing", None),
        "wheelchair": ("wheelchair_push_run", None),
        "golf": ("golf", None),
        "soccer": ("soccer", None),
        "tennis": ("tennis", None),
    }
)

#: Garmin Connect activity type key → (sport, sub-sport or None).
GARMIN_TYPES: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        "running": ("running", None),
        "street_running": ("running", "street"),
        "track_running": ("running", "track"),
        "trail_running": ("running", "trail"),
        "treadmill_running": ("running", "treadmill"),
        "indoor_running": ("running", "indoor_running"),
        "virtual_run": ("running", "virtual_activity"),
        "ultra_run": ("running", None),
        "obstacle_run": ("running", None),
        "walking": ("walking", None),
        "casual_walking": ("walking", "casual_walking"),
        "speed_walking": ("walking", "speed_walking"),
        "indoor_walking": ("walking", "indoor_walking"),
        "hiking": ("hiking", None),
        "mountaineering": ("mountaineering", None),
        "cycling": ("cycling", None),
        "road_biking": ("cycling", "road"),
        "mountain_biking": ("cycling", "mountain"),
        "gravel_cycling": ("cycling", "gravel_cycling"),
        "indoor_cycling": ("cycling", "indoor_cycling"),
        "virtual_ride": ("cycling", "virtual_activity"),
        "e_bike_fitness": ("cycling", "e_bike_fitness"),
        "lap_swimming": ("swimming", "lap_swimming"),
        "open_water_swimming": ("swimming", "open_water"),
        "strength_training": ("training", "strength_training"),
        "cardio": ("training", "cardio_training"),
        "indoor_cardio": ("training", "cardio_training"),
        "hiit": ("training", "hiit"),
        "yoga": ("training", "yoga"),
        "pilates": ("training", "pilates"),
        "elliptical": ("fitness_equipment", "elliptical"),
        "stair_climbing": ("fitness_equipment", "stair_climbing"),
        "indoor_rowing": ("rowing", "indoor_rowing"),
        "rowing": ("rowing", None),
        "cross_country_skiing_ws": ("cross_country_skiing", None),
        "resort_skiing_snowboarding_ws": ("alpine_skiing", None),
    }
)


def gpx_sport(text: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) for the text of a GPX ``<trk><type>``.

    Known names (:data:`GPX_TYPES`: ``running``, ``run``, Strava's ``9``,
    ``trail_running``, ``walking``, ``hiking``, ``cycling``/``biking``/``ride``,
    Strava's ``1``...) map to canonical names (trail, track and treadmill
    running keep that as the sub-sport); other text is kept in lower case with
    single spaces, and no text gives (None, None).
    """
    if text is None or not text.strip():
        return None, None
    key = " ".join(text.strip().lower().split())
    if key in GPX_TYPES:
        return GPX_TYPES[key]
    return key, None


def tcx_sport(text: str | None) -> str | None:
    """Sport for a TCX ``Activity/@Sport`` (``Running``, ``Biking``, ``Other``).

    Unknown values are kept in lower case; no value gives None.
    """
    if text is None or not text.strip():
        return None
    key = text.strip().lower()
    return TCX_SPORTS.get(key, key)


def strava_sport(activity_type: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) of a Strava activity type (``"Trail Run"``, ``"TrailRun"``...).

    Unknown types become their snake_case name with no sub-sport; a missing
    type gives (None, None).
    """
    if not activity_type or not activity_type.strip():
        return None, None
    key = re.sub(r"[^a-z]", "", activity_type.lower())
    if key in STRAVA_TYPES:
        return STRAVA_TYPES[key]
    snake = re.sub(r"[^a-z0-9]+", "_", activity_type.strip().lower()).strip("_")
    return (snake or None), None


def garmin_sport(type_key: str | None) -> tuple[str | None, str | None]:
    """(sport, sub_sport) of a Garmin activity type key; unknown keys are their own sport."""
    if not type_key:
        return None, None
    key = str(type_key).strip().lower()
    return GARMIN_TYPES.get(key, (key or None, None))


# ---------------------------------------------------------------------------------------------
# Cadence
# ---------------------------------------------------------------------------------------------

#: Sport names that say nothing about the sport (FIT ``generic``, TCX ``Other``): for cadence,
#: read like no sport at all.
UNKNOWN_SPORTS: frozenset[str] = frozenset({"generic"})
#: Median cadence at or above which a file's cadence values are taken as already counted in
#: steps of both feet; below it, as strides of one foot, and doubled. [1/min] (Strides of one
#: foot: about 45-65 a minute walking, 70-105 running; steps: 90-130 walking, 140-210
#: running.  No stride count of one foot reaches 120; slow walking written in steps, below
#: it, is the one case read wrongly: see :func:`cadence_spm`.)
STEPS_MIN_MEDIAN: float = 120.0


def cadence_spm(cadence: npt.ArrayLike | None, sport: str | None) -> npt.NDArray[np.float64] | None:
    """Steps per minute of both feet from the cadence values a file holds: the one rule.

    Every reader (FIT, GPX, TCX) calls this for the ``cadence_spm`` column,
    which counts the steps of both feet, and only for foot sports.  Files
    differ: FIT ``record.cadence``, TCX ``RunCadence`` and the GPX extensions
    of Garmin watches hold strides of one foot (half the steps); some apps
    write steps.  The unit is told from the median of the positive values
    (zeros are standing still): at or above :data:`STEPS_MIN_MEDIAN` the
    values already are steps and are kept; below it they are strides of one
    foot and are doubled.  One threshold for every foot sport, so that no
    stride count of one foot is ever misread (a walk labelled as such may
    still be a run-walk); the cost is that a walk an app wrote in steps at
    under 120 a minute reads doubled.

    * Foot sports (:data:`FOOT_SPORTS`): converted as above.
    * Unknown sport (None, or one of :data:`UNKNOWN_SPORTS`): converted the same
      way, so that :func:`infer_sport` can use the cadence, its zeros above
      all (a ride coasts; a run does not).  A ride's crank revolutions then
      read doubled, like a run's strides: :func:`infer_sport` never calls an
      activity a run from its cadence alone, and the risk rules do not read
      cadence.
    * Any other sport (cycling, rowing...): None, since crank revolutions or
      strokes are not steps.

    Parameters
    ----------
    cadence : array-like of float, or None
        The values as the file stores them, NaN where missing. [1/min]
    sport : str or None
        Canonical sport name (see the module docstring).

    Returns
    -------
    ndarray of float64, or None
        Steps per minute, both feet, NaN where missing (a new array); None
        when there are no values or the sport's cadence is not steps. [1/min]
    """
    if cadence is None:
        return None
    key = sport.lower() if sport else None
    if key is not None and key not in UNKNOWN_SPORTS and key not in FOOT_SPORTS:
        return None
    values = np.array(cadence, dtype="float64")
    stepping = values[np.isfinite(values) & (values > 0)]
    if stepping.size == 0:
        return values
    if float(np.median(stepping)) >= STEPS_MIN_MEDIAN:
        return values
    return values * 2.0


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

# Words (whole words, case-insensitive) that name a sport in an activity's title, in
# English, German, French, Spanish, Italian, Dutch and Portuguese, including the default
# titles the common apps give ("Morning Run", "Abendlauf", "Ochtendloop", "Corsa
# mattutina"...).  Words that are too often something else are left out: bare "course"
# (a golf course, a route), bare "loop" (a route), "trek" (a bicycle brand), "tour",
# "intervals", "workout", "track", "zwift" (rides and runs alike).
_DAYPARTS_DE = r"(?:morgen|vormittags|mittags|nachmittags|abend|nacht|früh|wald|dauer|berg|cross|tempo|erholungs|stadt|volks|trail|lang|sonntags)"  # noqa: E501
_DAYPARTS_NL = r"(?:ochtend|middag|avond|nacht|duur|lange|trail|bos)"
_NAME_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "running": (
            r"run",
            r"runs",
            r"running",
            r"jog",
            r"jogging",
            r"trail ?run",
            r"long ?run",
            r"parkrun",
            r"marathon",
            r"half ?marathon",
            r"treadmill",
            r"lauf",
            r"laufen",
            _DAYPARTS_DE + r"lauf",
            r"course (?:à|a) pied",
            r"footing",
            r"carrera",
            r"correr",
            r"corsa",
            r"corrida",
            r"hardlopen",
            r"hardloop",
            r"hardlooptraining",
            _DAYPARTS_NL + r"loop",
        ),
        "cycling": (
            r"ride",
            r"rides",
            r"riding",
            r"bike",
            r"biking",
            r"cycling",
            r"cycle",
            r"mtb",
            r"velo",
            r"vélo",
            r"cyclisme",
            r"radfahrt",
            r"radtour",
            r"radeln",
            r"rennrad",
            r"fahrrad",
            r"radausfahrt",
            r"bici",
            r"bicicleta",
            r"bicicletta",
            r"ciclismo",
            r"pedal",
            r"fiets",
            r"fietsen",
            r"fietsrit",
            r"fietstocht",
            _DAYPARTS_NL + r"rit",
        ),
        "walking": (
            r"walk",
            r"walks",
            r"walking",
            r"stroll",
            r"spaziergang",
            _DAYPARTS_DE + r"spaziergang",
            r"marche",
            r"caminata",
            r"caminhada",
            r"camminata",
            r"passeggiata",
            r"wandeling",
            r"wandelen",
            _DAYPARTS_NL + r"wandeling",
        ),
        "hiking": (
            r"hike",
            r"hikes",
            r"hiking",
            r"wanderung",
            _DAYPARTS_DE + r"wanderung",
            r"wandern",
            r"bergtour",
            r"randonnée",
            r"randonnee",
            r"rando",
            r"senderismo",
            r"excursión",
            r"escursione",
            r"trekking",
        ),
        "swimming": (
            r"swim",
            r"swimming",
            r"schwimmen",
            r"natation",
            r"natación",
            r"nuoto",
            r"zwemmen",
        ),
    }
)
_NAME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (sport, re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE))
    for sport, words in _NAME_WORDS.items()
)


def sport_from_name(name: str | None) -> str | None:
    """The sport an activity's title names, or None.

    Whole words only (``"Rerun"`` and ``"Brunch"`` are not runs), any case, in
    English, German, French, Spanish, Italian, Dutch and Portuguese, including
    the default titles apps give by time of day (``"Morning Run"``,
    ``"Abendlauf"``, ``"Ochtendrit"``, ``"Corsa mattutina"``).

    Conservative: a title with no sport word gives None, and so does a title
    whose words name two different sports (``"Run to the bike shop"``,
    ``"Walk/run"``, ``"Bike + run brick"``): a title cannot say which part was
    recorded, so the content decides (:func:`infer_sport`).

    Parameters
    ----------
    name : str or None
        The activity's title.

    Returns
    -------
    str or None
        ``running``, ``cycling``, ``walking``, ``hiking``, ``swimming`` or None.
    """
    if not name or not isinstance(name, str):
        return None
    text = " ".join(name.split())
    found = [sport for sport, pattern in _NAME_PATTERNS if pattern.search(text)]
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------

#: Slowest speed counted as moving; slower intervals (standing, GPS drift) are left out. [m/s]
MOVING_MIN_SPEED_M_S = 0.5
#: Fastest credible speed; faster intervals are GPS jumps and are left out. [m/s]
MAX_CREDIBLE_SPEED_M_S = 40.0
#: Intervals longer than this (or than twice the file's typical interval, if larger) are
#: recording gaps, not movement, and are left out. [s]
MAX_INTERVAL_S = 60.0
#: Least moving time needed to classify. [s] (Thirty one-second intervals: enough for a
#: median; shorter recordings say nothing about the sport, and hardly matter to a load.)
MIN_MOVING_TIME_S = 30.0

#: Median moving speed at or above which an activity is a ride. [m/s] (21.6 km/h: a
#: sub-2:50 marathon pace, held for half of the moving time.)
CYCLING_MIN_P50_M_S = 6.0
#: 90th percentile of moving speed at or above which an activity is a ride. [m/s]
#: (28.8 km/h held for a tenth of the moving time: a sprint finish does not last that long.)
CYCLING_MIN_P90_M_S = 8.0
#: Slowest median moving speed of a run when no cadence says otherwise. [m/s] (8:20 min/km,
#: 7.2 km/h: an easy jog for a slow runner, a race walker's pace.)
RUNNING_MIN_P50_M_S = 2.0
#: Fastest median moving speed called a run. [m/s] (3:20 min/km; faster is left unknown.)
RUNNING_MAX_P50_M_S = 5.0
#: Fastest 95th percentile of moving speed called a run. [m/s] (2:34 min/km: a runner's
#: sprint lasts seconds, a rider's descent minutes.)
RUNNING_MAX_P95_M_S = 6.5
#: Largest ratio of the 90th to the 50th percentile of moving speed called a run.  Runners'
#: speeds stay within a narrow band (intervals included); riders climb slowly and descend
#: fast, and vehicles (a bus ride with the watch running) stand out the same way.
RUNNING_MAX_SPREAD_RATIO = 2.0
#: Fastest median moving speed called a walk (or hike). [m/s] (6.8 km/h.)
WALKING_MAX_P50_M_S = 1.9
#: Fastest 90th percentile of moving speed called a walk (or hike). [m/s] (9 km/h: a walk
#: with a short jog to a crossing; more is a run/walk mix.)
WALKING_MAX_P90_M_S = 2.5
#: Median cadence (both feet) at or above which a moving activity is stepping at a run. [spm]
RUNNING_MIN_CADENCE_SPM = 140.0
#: Median cadence (both feet) below which an activity is not a run. [spm]
WALKING_MAX_CADENCE_SPM = 130.0
#: Share of moving time with a cadence of zero (coasting) above which it is a ride.
COASTING_MIN_FRACTION = 0.10
#: Elevation range per moving distance from which a walk is a hike. [m/km]
HIKING_MIN_RANGE_M_KM = 40.0
#: Least elevation range for a hike. [m]
HIKING_MIN_RANGE_M = 150.0


@dataclass(frozen=True)
class SportGuess:
    """What :func:`infer_sport` concluded, and from what.

    Attributes
    ----------
    sport : str or None
        ``running``, ``cycling``, ``walking``, ``hiking``, or None when it
        cannot tell; a title can also give a sport the content cannot
        (``swimming``).
    reason : str
        Short human-readable evidence (``"moving speed p50 3.1 m/s, p90 3.6 m/s"``).
    from_name : str or None
        The sport the title names (:func:`sport_from_name`), None without one.
    from_content : str or None
        The sport the samples alone suggest, None when they cannot tell.
    speed_p50_m_s, speed_p90_m_s, speed_p95_m_s : float
        Time-weighted percentiles of speed over the moving intervals; NaN when
        there is none. [m/s]
    moving_time_s : float
        Time spent moving (intervals at or above :data:`MOVING_MIN_SPEED_M_S`). [s]
    cadence_p50_spm : float
        Median cadence (both feet, as in ``cadence_spm``) over moving time with a
        non-zero cadence; NaN without cadence. [spm]
    coasting_fraction : float
        Share of moving time with cadence recorded as zero; NaN without cadence.
    power_fraction : float
        Share of moving time with power above zero; NaN without power.
    elevation_range_m : float
        Highest minus lowest elevation; NaN without elevation. [m]
    """

    sport: str | None
    reason: str
    from_name: str | None = None
    from_content: str | None = None
    speed_p50_m_s: float = math.nan
    speed_p90_m_s: float = math.nan
    speed_p95_m_s: float = math.nan
    moving_time_s: float = 0.0
    cadence_p50_spm: float = math.nan
    coasting_fraction: float = math.nan
    power_fraction: float = math.nan
    elevation_range_m: float = math.nan


def _column(samples: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    """A column as float64 (NaN where absent or unreadable)."""
    columns = samples.columns
    if name not in columns:
        return np.full(len(samples), np.nan)
    # A column of numbers is read as it is stored: pd.to_numeric would return it
    # unchanged, and a Series costs more than the rest of the column's work.
    # (``_get_column_array`` is pandas' own accessor for one column's array; the
    # public route below is taken whenever it is missing or the column is not a
    # plain numpy array of numbers.)
    loc = columns.get_loc(name)
    getter = getattr(samples, "_get_column_array", None)
    if isinstance(loc, int) and getter is not None:
        stored = getter(loc)
        if isinstance(stored, np.ndarray) and stored.dtype.kind in "fiu":
            return np.asarray(stored, dtype="float64")
    values = pd.to_numeric(samples[name], errors="coerce")
    return np.asarray(values, dtype="float64")


#: The int64 that stands for NaT in a DatetimeIndex's ``asi8``.
_NAT_I8 = np.iinfo(np.int64).min


def _times_s(samples: pd.DataFrame) -> npt.NDArray[np.float64] | None:
    """Sample times in seconds, from a DatetimeIndex (or a ``time`` column); None if unusable."""
    index = samples.index
    if not isinstance(index, pd.DatetimeIndex) and "time" in samples.columns:
        index = pd.DatetimeIndex(pd.to_datetime(samples["time"], errors="coerce", utc=True))
    if not isinstance(index, pd.DatetimeIndex):
        return None
    # asi8 counts from the UTC epoch whatever the zone (no tz_convert needed); NaT is
    # the smallest int64.  Any resolution (s, ms, us, ns) is read in ns.
    i8 = index.asi8 if index.unit == "ns" else index.as_unit("ns").asi8
    ns = i8.astype("float64")
    nat = i8 == _NAT_I8
    if nat.any():
        ns[nat] = np.nan
    return ns / 1e9


#: Largest total weight whose partial sums are exact in float64 when every weight is a
#: whole number. [1]
_EXACT_SUM_MAX = 2.0**53


def _weighted_quantiles(
    values: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], qs: tuple[float, ...]
) -> list[float]:
    """Quantiles of ``values`` where each value counts for its weight (no interpolation).

    The answer is that of a stable sort of ``values`` with the weights summed in that
    order.  Two cheaper routes give it bit for bit: equal weights (any order has the
    same cumulative sums: a plain sort of the values suffices), and whole-number
    weights with an exact total (every cumulative sum is exact, so the order within
    a run of equal values cannot move the answer to another value).
    """
    if values.size == 0:
        return [math.nan for _ in qs]
    w_min, w_max = float(weights.min()), float(weights.max())
    if w_min > 0 and w_min == w_max:  # e.g. every interval 1 s
        v, cum = np.sort(values), np.cumsum(weights)
    elif (
        w_min > 0
        and w_max * weights.size < _EXACT_SUM_MAX
        and np.array_equal(weights, np.floor(weights))
    ):
        order = np.argsort(values)
        v, cum = values[order], np.cumsum(weights[order])
    else:
        order = np.argsort(values, kind="stable")
        v, cum = values[order], np.cumsum(weights[order])
    total = cum[-1]
    at = np.searchsorted(cum, np.asarray(qs) * total, side="left")
    return [float(v[min(int(k), v.size - 1)]) for k in at]


def _features(samples: pd.DataFrame) -> dict[str, float]:
    """Moving-speed percentiles, cadence, coasting and power shares, elevation range."""
    out = {
        "speed_p50_m_s": math.nan,
        "speed_p90_m_s": math.nan,
        "speed_p95_m_s": math.nan,
        "moving_time_s": 0.0,
        "cadence_p50_spm": math.nan,
        "coasting_fraction": math.nan,
        "power_fraction": math.nan,
        "elevation_range_m": math.nan,
    }
    if not isinstance(samples, pd.DataFrame) or len(samples) < 2:
        return out
    t = _times_s(samples)
    if t is None:
        return out
    ele = _column(samples, "elevation_m")
    if np.isfinite(ele).any():
        out["elevation_range_m"] = float(np.nanmax(ele) - np.nanmin(ele))

    # Interval k runs from sample k to sample k+1; its values are those of its end sample.
    dt = np.diff(t)
    v_dev = _column(samples, "speed_m_s")[1:]
    has_v_dev = np.isfinite(v_dev)
    if has_v_dev.all():  # the device's speed everywhere: distance is not read
        v = v_dev
    else:
        dist = _column(samples, "distance_m")
        with np.errstate(divide="ignore", invalid="ignore"):
            v_dist = np.diff(dist) / dt
        v = np.where(has_v_dev, v_dev, v_dist)
    ok = np.isfinite(dt) & (dt > 0) & np.isfinite(v)
    if not ok.any():
        return out
    dt_ok = dt[ok]
    if np.count_nonzero(dt_ok <= MAX_INTERVAL_S / 2.0) > dt_ok.size // 2:
        # The median is at most MAX_INTERVAL_S / 2 (its middle sample(s) are): no need
        # to compute it.
        longest = MAX_INTERVAL_S
    else:
        longest = max(MAX_INTERVAL_S, 2.0 * float(np.median(dt_ok)))
    moving = ok & (dt <= longest) & (v >= MOVING_MIN_SPEED_M_S) & (v <= MAX_CREDIBLE_SPEED_M_S)
    w = np.where(moving, dt, 0.0)
    moving_s = float(w.sum())
    out["moving_time_s"] = moving_s
    if not moving.any():
        return out
    p50, p90, p95 = _weighted_quantiles(v[moving], w[moving], (0.5, 0.9, 0.95))
    out.update(speed_p50_m_s=p50, speed_p90_m_s=p90, speed_p95_m_s=p95)

    cad = _column(samples, "cadence_spm")[1:]
    has_cad = moving & np.isfinite(cad)
    cad_s = float(w[has_cad].sum())
    if cad_s >= 0.5 * moving_s:
        stepping = has_cad & (cad > 0)
        out["coasting_fraction"] = float(w[has_cad & (cad <= 0)].sum()) / cad_s
        if stepping.any():
            out["cadence_p50_spm"] = _weighted_quantiles(cad[stepping], w[stepping], (0.5,))[0]
    power = _column(samples, "power_w")[1:]
    has_power = moving & np.isfinite(power)
    if float(w[has_power].sum()) >= 0.5 * moving_s:
        out["power_fraction"] = float(w[has_power & (power > 0)].sum()) / moving_s
    return out


def _fmt(value: float, unit: str) -> str:
    return f"{value:.1f} {unit}" if math.isfinite(value) else "n/a"


def _from_content(f: dict[str, float]) -> tuple[str | None, str]:
    """The sport the samples suggest, and why (see :func:`infer_sport` for the rules)."""
    p50, p90 = f["speed_p50_m_s"], f["speed_p90_m_s"]
    if f["moving_time_s"] < MIN_MOVING_TIME_S or not math.isfinite(p50):
        return None, f"too little movement ({f['moving_time_s']:.0f} s moving)"
    speed = f"moving speed p50 {p50:.1f} m/s, p90 {p90:.1f} m/s"
    cad, coast = f["cadence_p50_spm"], f["coasting_fraction"]
    has_cad = math.isfinite(cad)
    if p50 >= CYCLING_MIN_P50_M_S or p90 >= CYCLING_MIN_P90_M_S:
        return "cycling", f"{speed}: faster than running"
    if math.isfinite(coast) and coast >= COASTING_MIN_FRACTION and p50 >= WALKING_MAX_P50_M_S:
        return "cycling", f"{speed}, cadence zero {coast:.0%} of moving time: coasting"
    if p50 > RUNNING_MAX_P50_M_S or f["speed_p95_m_s"] > RUNNING_MAX_P95_M_S:
        p95 = f["speed_p95_m_s"]
        return None, f"{speed}, p95 {p95:.1f} m/s: between running and cycling speeds"
    if p90 > RUNNING_MAX_SPREAD_RATIO * p50 and p90 > WALKING_MAX_P90_M_S:
        return None, f"{speed}: too variable for a run (p90/p50 {p90 / p50:.1f})"
    if p50 < WALKING_MAX_P50_M_S and p90 <= WALKING_MAX_P90_M_S:
        if has_cad and cad >= RUNNING_MIN_CADENCE_SPM:
            return None, f"{speed}, cadence {cad:.0f} spm: walking speed at running cadence"
        rng = f["elevation_range_m"]
        if (
            math.isfinite(rng)
            and rng >= HIKING_MIN_RANGE_M
            and rng / max(p50 * f["moving_time_s"] / 1000.0, 1e-9) >= HIKING_MIN_RANGE_M_KM
        ):
            return "hiking", f"{speed}, elevation range {rng:.0f} m: walking pace, climbing"
        return "walking", f"{speed}: walking pace"
    if has_cad and cad < WALKING_MAX_CADENCE_SPM:
        return None, f"{speed}, cadence {cad:.0f} spm: too low for running"
    if p50 >= RUNNING_MIN_P50_M_S:
        if has_cad and cad < RUNNING_MIN_CADENCE_SPM:
            return None, f"{speed}, cadence {cad:.0f} spm: not a running cadence"
        return "running", f"{speed}: running pace" + (f", cadence {cad:.0f} spm" if has_cad else "")
    if has_cad and cad >= RUNNING_MIN_CADENCE_SPM:
        return "running", f"{speed}, cadence {cad:.0f} spm: slow running"
    return None, f"{speed}: between walking and running"


def infer_sport(samples: pd.DataFrame, *, name: str | None = None) -> SportGuess:
    """Guess the sport of an activity that no file or export labels.

    Content evidence comes from the samples: the time-weighted 50th, 90th and
    95th percentiles of speed over the moving intervals (``speed_m_s`` where
    recorded, else the change of ``distance_m`` over the change of time;
    intervals slower than :data:`MOVING_MIN_SPEED_M_S`, faster than
    :data:`MAX_CREDIBLE_SPEED_M_S` or longer than :data:`MAX_INTERVAL_S` are
    left out, so pauses and GPS jumps do not count), the median cadence and the
    share of moving time spent coasting (cadence zero), and the elevation
    range.  In order:

    1. under :data:`MIN_MOVING_TIME_S` of movement: None;
    2. p50 >= :data:`CYCLING_MIN_P50_M_S` or p90 >= :data:`CYCLING_MIN_P90_M_S`:
       cycling; cadence zero for :data:`COASTING_MIN_FRACTION` of the moving time
       or more at faster than walking pace: cycling (runners do not coast);
    3. p50 > :data:`RUNNING_MAX_P50_M_S` or p95 > :data:`RUNNING_MAX_P95_M_S`:
       None (a fast run or a slow ride); p90 more than
       :data:`RUNNING_MAX_SPREAD_RATIO` times p50 (and above a walk's p90): None
       (too variable for a run: a hilly ride, or a run with a vehicle in it);
    4. p50 < :data:`WALKING_MAX_P50_M_S` and p90 <= :data:`WALKING_MAX_P90_M_S`:
       walking, or hiking when the elevation range is at least
       :data:`HIKING_MIN_RANGE_M` and :data:`HIKING_MIN_RANGE_M_KM` per km; None
       if the cadence is a running one;
    5. a median cadence under :data:`WALKING_MAX_CADENCE_SPM`: None (not a run);
    6. p50 >= :data:`RUNNING_MIN_P50_M_S`: running, unless the cadence is under
       :data:`RUNNING_MIN_CADENCE_SPM`; slower, running only with a running
       cadence; otherwise None.

    Cadence is read as ``cadence_spm`` is documented (both feet).  It never
    makes a run on its own: a bike's revolutions per minute, doubled as some
    readers do for files of unknown sport, look like steps.

    The name (:func:`sport_from_name`) and the content both count.  When they
    disagree the name wins (apps title activities from the type the athlete
    chose), with one exception that keeps rides out of the run load: a title
    that says run on content that is clearly a ride gives None.

    Parameters
    ----------
    samples : DataFrame
        A runload samples frame: a UTC DatetimeIndex and the columns
        ``distance_m`` (cumulative) [m], ``speed_m_s`` [m/s], ``cadence_spm``
        [spm], ``power_w`` [W], ``elevation_m`` [m]; any may be missing or NaN.
    name : str, optional
        The activity's title.

    Returns
    -------
    SportGuess
        Never raises on odd input: an empty, single-sample or all-NaN frame
        gives ``sport=None`` (or the name's sport).
    """
    try:
        feats = _features(samples)
    except Exception:  # a guess must never break a batch read
        feats = _features(pd.DataFrame())
    content, why = _from_content(feats)
    named = sport_from_name(name)
    if named is not None and named not in INFERRED_SPORTS:
        sport: str | None = named
        reason = f"name says {named}; content: {why}"
    elif named is None:
        sport, reason = content, why
    elif content is None or content == named:
        sport, reason = named, f"name says {named}; {why}"
    elif named == "running" and content == "cycling":
        sport, reason = None, f"name says running but {why}"
    else:
        sport, reason = named, f"name says {named} (content suggests {content}: {why})"
    return SportGuess(
        sport=sport,
        reason=reason,
        from_name=named,
        from_content=content,
        speed_p50_m_s=feats["speed_p50_m_s"],
        speed_p90_m_s=feats["speed_p90_m_s"],
        speed_p95_m_s=feats["speed_p95_m_s"],
        moving_time_s=feats["moving_time_s"],
        cadence_p50_spm=feats["cadence_p50_spm"],
        coasting_fraction=feats["coasting_fraction"],
        power_fraction=feats["power_fraction"],
        elevation_range_m=feats["elevation_range_m"],
    )
