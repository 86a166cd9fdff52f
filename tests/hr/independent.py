"""An independent count of the HR key-figure inputs straight from the generated CSV files (pandas,
row by row), to check the warehouse SQL for any period, not only the reference year."""

from __future__ import annotations

import calendar
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd


def _round(value: Fraction | int) -> Decimal:
    value = Fraction(int(value)) if not isinstance(value, Fraction) else value
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1), ROUND_HALF_UP)


def _person(text: str) -> str:
    return text.replace("-", "")[-10:]


def key_inputs(folder: Path, year: int, months: int) -> dict[str, tuple[Decimal, Decimal]]:
    emp = pd.read_csv(folder / f"anstallningar_191_{year}12.csv", sep=";", dtype=str, keep_default_na=False)
    absence = pd.read_csv(folder / f"franvaro_191_{year}12.csv", sep=";", dtype=str, keep_default_na=False)
    contracted = pd.read_csv(folder / f"avtaladtid_191_{year}.csv", sep=";", dtype=str, keep_default_na=False)
    first = pd.Timestamp(year, 1, 1)
    ref = pd.Timestamp(year, months, calendar.monthrange(year, months)[1])
    emp["pid"] = emp["Personnummer"].map(_person)
    emp["s"] = pd.to_datetime(emp["Startdatum"])
    emp["e"] = pd.to_datetime(emp["Slutdatum"].replace("", None))

    def active(frame: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
        return frame[(frame.s <= day) & (frame.e.isna() | (frame.e >= day))]

    population = active(emp[emp["Anställningsform"] != "timanställd"], ref)
    tv = population[population["Anställningsform"] == "tillsvidare"]
    all_tv = emp[emp["Anställningsform"] == "tillsvidare"]
    month_ends = [pd.Timestamp(year, m, calendar.monthrange(year, m)[1]) for m in range(1, months + 1)]
    average = Fraction(sum(len(active(all_tv, d)) for d in month_ends), months)

    def continues(row, day) -> bool:  # noqa: ANN001
        other = all_tv[(all_tv.pid == row.pid) & (all_tv["Anstallnings-id"] != row["Anstallnings-id"])]
        return len(active(other, day)) > 0

    leavers = sum(not continues(r, r.e + pd.Timedelta(days=1))
                  for _, r in all_tv[(all_tv.e >= first) & (all_tv.e <= ref)].iterrows())
    recruits = sum(not continues(r, r.s - pd.Timedelta(days=1))
                   for _, r in all_tv[(all_tv.s >= first) & (all_tv.s <= ref)].iterrows())
    sick = absence[absence["Frånvarotyp"] == "sjuk"].copy()
    sick["s"] = pd.to_datetime(sick["Startdatum"])
    sick["e"] = pd.to_datetime(sick["Slutdatum"].replace("", None)).fillna(ref)
    short = long = Fraction(0)
    cost = Fraction(0)
    for _, r in sick.iterrows():
        extent = Fraction(r["Omfattning"].replace(",", ".")) / 100
        for k in range((r.e - r.s).days + 1):
            day = r.s + pd.Timedelta(days=k)
            if first <= day <= ref:
                if k < 14:
                    short += extent
                else:
                    long += extent
        if first <= r.s <= ref:
            cost += Fraction(r["Sjuklönekostnad dag 2–14"].replace(",", "."))
    in_period = contracted[contracted["Period"].astype(int) <= year * 100 + months]
    days = sum(Fraction(v.replace(",", ".")) for v in in_period["Avtalade dagar"])
    fte = sum(Fraction(v.replace(",", ".")) for v in in_period["Årsarbetare"]) / months
    return {
        "122": (_round(len(tv)), _round(len(population))),
        "123": (_round((tv["Sysselsättningsgrad"] == "100").sum()), _round(len(tv))),
        "124": (_round(min(leavers, recruits)), _round(average)),
        "125a": (_round((population["Kön"] == "K").sum()), _round(population.pid.nunique())),
        "125b": (_round(((population.Chef == "J") & (population["Kön"] == "K")).sum()),
                 _round((population.Chef == "J").sum())),
        "127": (_round(short), _round(days)),
        "128": (_round(long), _round(days)),
        "129": (_round(cost / 1000), _round(fte)),
    }
