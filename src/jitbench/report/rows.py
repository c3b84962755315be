"""The comparison tables as data, built once: the terminal, Markdown and HTML renderers only
render them (choose columns, style verdicts, escape).

A cell is text; a verdict cell is a :class:`Verdict`, so that each renderer styles it its own way.
The confidence level in the headers comes from the comparisons, not from a constant.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.experiment import Analysis, host_phrase
from . import fmt


@dataclass(frozen=True)
class Verdict:
    """A verdict cell: the word, and whether it changes without the outlier processes."""

    word: str
    outlier_sensitive: bool = False

    def __str__(self) -> str:
        return self.word + (" (outlier-sensitive)" if self.outlier_sensitive else "")


Cell = str | Verdict


@dataclass(frozen=True)
class Column:
    """A column: its key (what renderers select by), its header, and a shorter one for terminals."""

    key: str
    header: str
    short: str = ""
    numeric: bool = False

    @property
    def terse(self) -> str:
        return self.short or self.header


@dataclass(frozen=True)
class Table:
    """Columns and rows of cells, one cell per column."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def without(self, *keys: str) -> Table:
        """The same table without ``keys``' columns."""
        return self.select(tuple(c.key for c in self.columns if c.key not in keys))

    def select(self, keys: tuple[str, ...]) -> Table:
        """The same table with only ``keys``' columns (absent keys are skipped), in that order."""
        index = {c.key: i for i, c in enumerate(self.columns)}
        picked = [index[k] for k in keys if k in index]
        return Table(
            tuple(self.columns[i] for i in picked),
            tuple(tuple(row[i] for i in picked) for row in self.rows),
        )


def ci_header(analysis: Analysis) -> str:
    """``95 % CI`` at the level the comparisons used (each comparison records its own)."""
    return fmt.ci_label(
        [c.result.confidence for c in analysis.comparisons]
        + [h.comparison.result.confidence for h in analysis.cross_host]
    )


#: The comparison table's columns every renderer shows (the terminal adds process counts).
COMPARISON_COLUMNS = (
    "benchmark",
    "candidate",
    "vs",
    "measure",
    "mean",
    "median",
    "change",
    "ci",
    "verdict",
    "holm",
)


def suite_name(candidate: str, measure: str) -> str:
    """Whose suite a geometric mean is: the candidate, and its measure when that is not time."""
    return candidate if measure == "time" else f"{candidate} ({measure})"


def suite_reference(analysis: Analysis, candidate: str, measure: str) -> str:
    """What a candidate's suite is compared with: the reference of its comparisons (its
    ``against`` variant where it has one), else the run's baseline."""
    refs = {
        c.baseline
        for c in analysis.comparisons
        if c.candidate == candidate and c.measure == measure
    }
    return refs.pop() if len(refs) == 1 else analysis.baseline


def per_host_baselines(analysis: Analysis) -> bool:
    """Whether some candidate is compared with the baseline's peer on its own host."""
    return any(c.baseline != analysis.baseline for c in analysis.comparisons)


def comparison_table(analysis: Analysis) -> Table:
    """Every candidate against its baseline on every benchmark, with all the columns any report
    shows: from → to means and medians of the verdict's values, change, CI, verdicts."""
    metric = fmt.metric_of(analysis)
    per_host = per_host_baselines(analysis)
    hot = bool(analysis.contaminated)
    # Several measures: each comparison says which (time and instructions side by side).
    measures = several_measures(analysis)
    columns = [Column("benchmark", "benchmark"), Column("candidate", "candidate")]
    if per_host:
        columns.append(Column("vs", "vs"))
    if measures:
        columns.append(Column("measure", "measure"))
    columns += [
        Column("mean", f"{metric} mean (from → to)", f"{metric} mean", numeric=True),
        Column("median", f"{metric} median (from → to)", f"{metric} median", numeric=True),
        Column("change", "change", numeric=True),
        Column("ci", ci_header(analysis), numeric=True),
        Column("verdict", "verdict"),
        Column("holm", "verdict after Holm", "Holm"),
        Column("robust", "robust verdict"),
        Column("processes", "processes", "P", numeric=True),
    ]
    if hot:
        columns.append(Column("contaminated", "contaminated", numeric=True))
    rows = []
    for c in analysis.comparisons:
        r = c.result
        row: list[Cell] = [c.benchmark, c.candidate]
        if per_host:
            row.append(c.baseline)
        if measures:
            row.append(c.measure)
        row += [
            fmt.from_to(r.baseline.value_mean, r.candidate.value_mean, c.measure),
            fmt.from_to(r.baseline.value_median, r.candidate.value_median, c.measure),
            fmt.pct(r.change_pct),
            fmt.ci(r.ci_low_pct, r.ci_high_pct),
            Verdict(r.verdict, r.outlier_sensitive),
            Verdict(c.adjusted_verdict),
            Verdict(r.robust_verdict, r.outlier_sensitive),
            f"{r.n_baseline}/{r.n_candidate}",
        ]
        if hot:
            row.append(
                f"{analysis.contaminated.get((c.benchmark, c.baseline), 0)}/"
                f"{analysis.contaminated.get((c.benchmark, c.candidate), 0)}"
            )
        rows.append(tuple(row))
    return Table(tuple(columns), tuple(rows))


def several_measures(analysis: Analysis) -> bool:
    """Whether some comparison is of a count (instructions, …) rather than of time."""
    return any(c.measure != "time" for c in analysis.comparisons)


MECHANISM_INTRO = (
    "Mechanism (time = instructions × time per instruction): each change split into "
    "Δinstructions and Δtime per instruction, each with its CI."
)


def mechanism_lines(analysis: Analysis) -> tuple[str, ...]:
    """Where time and instructions were both measured, each change split into Δinstructions and
    Δtime per instruction with their CIs: ``work / more: 2.00 % more instructions [..]; time per
    instruction unchanged [..]``."""
    return tuple(f"{m.benchmark} / {m.candidate}: {m.phrase()}" for m in analysis.mechanisms)


def cross_host_table(analysis: Analysis) -> Table:
    """The same variant on each host against its first host: ``arm faster by 51.8 %``."""
    columns = (
        Column("benchmark", "benchmark"),
        Column("variant", "variant"),
        Column("hosts", "hosts"),
        Column("mean", "process mean (from → to)", "process mean", numeric=True),
        Column("change", "change", numeric=True),
        Column("ci", ci_header(analysis), numeric=True),
        Column("verdict", "verdict"),
        Column("processes", "processes", "P", numeric=True),
        Column("words", "in words"),
    )
    rows = []
    for h in analysis.cross_host:
        r = h.comparison.result
        rows.append(
            (
                h.benchmark,
                h.group,
                f"{h.reference_host} → {h.host}",
                fmt.from_to(r.baseline.value_mean, r.candidate.value_mean),
                fmt.pct(r.change_pct),
                fmt.ci(r.ci_low_pct, r.ci_high_pct),
                Verdict(r.verdict, r.outlier_sensitive),
                f"{r.n_baseline}/{r.n_candidate}",
                host_phrase(h),
            )
        )
    return Table(columns, tuple(rows))


PER_VARIANT_STATS = (
    ("processes", "processes"),
    ("values", "values"),
    ("mean", "mean"),
    ("median", "median"),
    ("stdev", "stdev"),
    ("trimmed_mean", "trimmed mean"),
)


def _summary_cells(analysis: Analysis, bench: str, variant: str) -> tuple[str, ...]:
    s = analysis.summaries.get((bench, variant))
    if s is None:  # no successful process: nothing to summarise
        return ("0", "0", "—", "—", "—", "—")
    return (
        str(s.n_processes),
        str(s.n_values),
        fmt.seconds(s.mean),
        fmt.seconds(s.median),
        fmt.seconds(s.stdev),
        fmt.seconds(s.trimmed_mean),
    )


def per_variant_table(
    analysis: Analysis, bench: str | None = None, variants: tuple[str, ...] = ()
) -> Table:
    """Processes, values, mean, median, stdev and trimmed mean per benchmark and variant (with
    ``bench``: one row per name in ``variants``); a contaminated count when some process was."""
    hot = bool(analysis.contaminated)
    keys = list(analysis.summaries) if bench is None else [(bench, v) for v in variants]
    columns = (
        Column("benchmark", "benchmark"),
        Column("variant", "variant"),
        *(Column(key, header, numeric=True) for key, header in PER_VARIANT_STATS),
        *((Column("contaminated", "contaminated", numeric=True),) if hot else ()),
    )
    rows = tuple(
        (
            b,
            v,
            *_summary_cells(analysis, b, v),
            *((str(analysis.contaminated.get((b, v), 0)),) if hot else ()),
        )
        for b, v in keys
    )
    return Table(columns, rows)
