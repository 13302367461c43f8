"""Helpers shared by the Sanku notebooks: where the export is, reading its tables, Chinese fonts for charts.

The notebooks read an export written by ``./sanku notebooks export`` (plain Parquet files, each table at one
snapshot, described by export.json), never the warehouse's Iceberg folders: a glob over a table's data files
would read files of old snapshots and ignore deleted rows.
"""
import json
import os
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager

# Fonts with Chinese glyphs, in order of preference: Debian's fonts-wqy-microhei, Noto/Source Han, then the
# fonts of Windows and macOS laptops.
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
             "Hiragino Sans GB", "Heiti SC", "SimHei"]

# Age bands of the elderly (65+) and of the chronic-disease population (35+), as used in the notebooks.
ELDERLY_BANDS = [(65, 69), (70, 74), (75, 79), (80, 84), (85, 200)]
ADULT_BANDS = [(35, 44), (45, 54), (55, 64), (65, 74), (75, 200)]


def export_dir() -> Path:
    """The export folder: SANKU_EXPORT, else work/export beside the notebooks folder."""
    d = os.environ.get("SANKU_EXPORT")
    path = Path(d) if d else Path(__file__).resolve().parent.parent / "work" / "export"
    if not (path / "export.json").is_file():
        raise FileNotFoundError(
            f"no Sanku export at {path}: write one with "
            f"./sanku notebooks export --warehouse WH --period 2025 --out {path} (or set SANKU_EXPORT)")
    return path


def manifest() -> dict:
    """export.json: the period, the publishing run, the tables with their snapshots and row counts."""
    return json.loads((export_dir() / "export.json").read_text(encoding="utf-8"))


def table(name: str) -> pd.DataFrame:
    """One exported table, e.g. table("ind.indicator_value")."""
    tables = manifest()["tables"]
    entry = tables.get(name)
    if entry is None or not entry.get("present"):
        raise KeyError(f"{name} is not in the export (exported: "
                       f"{', '.join(k for k, v in tables.items() if v.get('present'))})")
    return pd.read_parquet(export_dir() / entry["path"])


def has_table(name: str) -> bool:
    entry = manifest()["tables"].get(name)
    return bool(entry and entry.get("present"))


def membership() -> pd.DataFrame:
    """Person by person: county, township, sex, age on R and, per rate, den_<id> / num_<id> flags."""
    return pd.read_parquet(export_dir() / manifest()["membership"]["path"])


def period_values(indicators=None) -> pd.DataFrame:
    """The published values of the export's period (every level), optionally for some indicators only."""
    p = manifest()["period"]
    v = table("ind.indicator_value")
    v = v[(v["period_start"].astype(str) == p["start"]) & (v["period_end"].astype(str) == p["end"])]
    if indicators is not None:
        v = v[v["indicator_id"].isin(indicators)]
    return v.reset_index(drop=True)


def band_label(low: int, high: int) -> str:
    return f"{low}岁及以上" if high >= 200 else f"{low}–{high}岁"


def age_band(ages: pd.Series, bands) -> pd.Series:
    """The band label of each age (ordered categories), NaN outside every band."""
    labels = [band_label(lo, hi) for lo, hi in bands]
    edges = [bands[0][0]] + [hi + 1 for _, hi in bands]
    return pd.cut(ages, bins=edges, right=False, labels=labels)


def key(name: str, value) -> None:
    """Prints a key number in a fixed form (the test suite reads these lines back and checks them)."""
    print(f"key {name} = {value!r}")


def use_cjk_font() -> str:
    """Makes matplotlib draw Chinese text; returns the font used. Refuses when no Chinese font is installed,
    rather than drawing empty boxes."""
    wanted = ([os.environ["SANKU_CJK_FONT"]] if os.environ.get("SANKU_CJK_FONT") else []) + CJK_FONTS
    names = {f.name for f in font_manager.fontManager.ttflist}
    found = [n for n in wanted if n in names]
    if not found:
        # A font installed after matplotlib built its font cache is not in it: add the system's CJK files.
        for path in font_manager.findSystemFonts():
            lower = os.path.basename(path).lower()
            if any(k in lower for k in ("wqy", "cjk", "sourcehan", "msyh", "pingfang", "simhei", "hiragino")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError):
                    pass
        names = {f.name for f in font_manager.fontManager.ttflist}
        found = [n for n in wanted if n in names]
    if not found:
        raise RuntimeError("no Chinese font for matplotlib: install one (Debian: apt-get install fonts-wqy-microhei) "
                           "or name an installed one in SANKU_CJK_FONT")
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = found + list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["axes.unicode_minus"] = False
    return found[0]


def value_set(name: str) -> dict:
    """A value set's Chinese labels from the configuration (conf/value_sets.yaml, or SANKU_CONF's), e.g.
    value_set("org_type") -> {"A": "医院", ...}."""
    import yaml  # PyYAML, read only for this

    conf = Path(os.environ["SANKU_CONF"]) if os.environ.get("SANKU_CONF") else Path(__file__).resolve().parent.parent / "conf"
    sets = yaml.safe_load((conf / "value_sets.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in sets[name].items()}
