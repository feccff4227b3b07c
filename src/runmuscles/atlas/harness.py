"""How far bilinear lookup is from a fresh solve: the interpolation-error harness.

:func:`interpolation_error` takes an atlas and a solve function, picks off-grid conditions (by
default the centres of cells spread over each gait's grid, where bilinear interpolation is
furthest from its nodes), solves each *from the same continuation* the atlas used (warm-started
from the nearest solved corner of its cell: for the predictive solve, that corner's stored
stride), and compares per group the concentric and eccentric work per stride of the fresh solve
with the atlas's lookup.

The result (:class:`ErrorTable`) lists every comparison: the relative error
``(lookup - fresh) / fresh`` and the error as a share of the stride's total work of that kind; a
group counts as *significant* in a condition when its fresh work is at least
:data:`SIGNIFICANT_SHARE` of that total and the model resolves it (the 5 % criterion the
shipped grid is chosen for is judged on those; a group doing almost nothing has relative errors
that mean nothing).

Run it on the real atlas with::

    python -m runmuscles.atlas.harness --atlas src/runmuscles/data/atlas.nc \\
        --strides src/runmuscles/data/strides --conditions 12

(it prints the table as Markdown for the README and the note; a few minutes per condition on
two cores).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from runmuscles.atlas.grid import Condition
from runmuscles.atlas.realism import check_realism
from runmuscles.atlas.solvers import SolveFn
from runmuscles.atlas.table import Atlas

__all__ = ["SIGNIFICANT_SHARE", "ErrorTable", "cell_centres", "interpolation_error"]

#: A group's share of the stride's concentric (eccentric) work from which its relative error
#: is judged (this project's choice).
SIGNIFICANT_SHARE = 0.02
KINDS = ("concentric", "eccentric")


@dataclass
class ErrorTable:
    """The comparisons of :func:`interpolation_error`: ``rows`` (one per condition, group and
    kind), ``conditions`` compared, and ``failed`` ones (the fresh solve failed: why)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    conditions: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def significant(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["significant"]]

    @property
    def max_error(self) -> float:
        """Largest absolute relative error over the significant rows (NaN when there are none)."""
        sig = self.significant()
        return max((abs(r["rel_error"]) for r in sig), default=math.nan)

    def summary(self) -> list[dict[str, Any]]:
        """Per gait, group and kind over the significant rows: conditions, mean and max
        absolute relative error, and where the max was."""
        out: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for r in self.significant():
            out.setdefault((r["gait"], r["group"], r["kind"]), []).append(r)
        rows = []
        for (gait, group, kind), rs in sorted(out.items()):
            errs = [abs(r["rel_error"]) for r in rs]
            worst = rs[int(np.argmax(errs))]
            rows.append(
                {
                    "gait": gait,
                    "group": group,
                    "kind": kind,
                    "n": len(rs),
                    "mean_abs_rel_error": float(np.mean(errs)),
                    "max_abs_rel_error": float(np.max(errs)),
                    "worst_at": [worst["speed_m_s"], worst["grade"]],
                }
            )
        return rows

    def to_markdown(self) -> str:
        lines = [
            "| gait | group | work | conditions | mean abs error | max abs error | worst at |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in self.summary():
            v, g = s["worst_at"]
            lines.append(
                f"| {s['gait']} | {s['group'].replace('_', ' ')} | {s['kind']} | {s['n']} | "
                f"{s['mean_abs_rel_error'] * 100:.1f} % | {s['max_abs_rel_error'] * 100:.1f} % | "
                f"{v:g} m/s {g * 100:+g} % |"
            )
        if self.failed:
            lines.append("")
            for f in self.failed:
                lines.append(
                    f"* not compared: {f['gait']} {f['speed_m_s']:g} m/s "
                    f"{f['grade'] * 100:+g} %: {f['why']}"
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "significant_share": SIGNIFICANT_SHARE,
            "max_abs_rel_error": None if math.isnan(self.max_error) else self.max_error,
            "summary": self.summary(),
            "conditions": self.conditions,
            "failed": self.failed,
            "rows": self.rows,
        }


def cell_centres(atlas: Any, n: int, gaits: Sequence[str] | None = None) -> list[Condition]:
    """``n`` cell centres (fewer only when the grids have fewer cells) spread evenly over the
    solved cells of each gait (cells whose four corners are solved), shared between the gaits
    in proportion to their cells (at least one each), for the atlas body."""
    gaits = list(gaits or atlas.gaits)
    cells: dict[str, list[tuple[int, int]]] = {}
    for gait in gaits:
        t = atlas.table(gait)
        ok = t.solved()
        cells[gait] = [
            (i, j)
            for i in range(t.speeds.size - 1)
            for j in range(t.grades.size - 1)
            if ok[i, j] and ok[i + 1, j] and ok[i, j + 1] and ok[i + 1, j + 1]
        ]
    total = sum(len(c) for c in cells.values())
    quota = {
        g: min(len(c), max(1, round(n * len(c) / total))) if total else 0 for g, c in cells.items()
    }
    while sum(quota.values()) < min(n, total):
        g = max(cells, key=lambda g: len(cells[g]) - quota[g])
        quota[g] += 1
    out = []
    for gait in gaits:
        t = atlas.table(gait)
        if not quota[gait]:
            continue
        pick = np.unique(np.linspace(0, len(cells[gait]) - 1, quota[gait]).round().astype(int))
        for k in pick:
            i, j = cells[gait][int(k)]
            v = 0.5 * (t.speeds[i] + t.speeds[i + 1])
            g = 0.5 * (t.grades[j] + t.grades[j + 1])
            out.append(Condition(float(v), float(g), atlas.mass_kg, atlas.height_m, gait))
    return out


def _first_realistic(
    solve: SolveFn, cond: Condition, candidates: Sequence[tuple[str, Any]], tries: int = 1
) -> tuple[Any, str]:
    """Solve ``cond`` from the candidate warm starts in turn until ``tries`` converged strides
    pass the realism gate; the one with the lowest objective and the label of its start, or None
    and why none did."""
    why = "no warm start"
    found: list[tuple[float, Any, str]] = []
    for label, guess in candidates:
        try:
            out = solve(cond, guess)
        except Exception as exc:
            status = getattr(exc, "status", "") or type(exc).__name__
            why = f"from {label}: {status}: {exc}"
            continue
        verdict = check_realism(out.info)
        if not verdict.ok:
            why = f"from {label}: refused: {'; '.join(verdict.reasons)}"
            continue
        objective = out.info.get("objective")
        found.append((math.inf if objective is None else float(objective), out, label))
        if len(found) >= tries:
            break
    if not found:
        return None, why
    _, out, label = min(found, key=lambda f: f[0])
    return out, label


def interpolation_error(
    atlas: Any,
    solve: SolveFn,
    conditions: Sequence[Condition] | None = None,
    *,
    n: int = 10,
    guesses: Any = None,
    workers: int = 1,
    tries: int = 1,
) -> ErrorTable:
    """Compare the atlas's lookup with fresh solves at off-grid ``conditions`` (default:
    :func:`cell_centres`, ``n`` of them) for per-group concentric and eccentric work (module
    docstring). ``solve`` is a solve function (``solve(condition, guess) -> Outcome``);
    ``guesses`` gives its warm starts (default: the nearest solved corner as
    ``{speed, grade, gait}``, what the stand-in takes; for the predictive solve pass
    :class:`~runmuscles.atlas.ondemand.StrideGuesses` over the atlas's strides). A fresh solve
    that fails or is refused by the realism gate is listed in ``failed``, not compared.
    ``workers`` > 1 solves the conditions in that many spawned processes. ``tries`` > 1 solves
    each condition from that many corners (nearest first) and keeps the stride with the lowest
    objective, as the atlas build's polish keeps the better of a cell's neighbours."""
    from runmuscles.atlas.guesses import NodeGuesses

    conds = list(conditions) if conditions is not None else cell_centres(atlas, n)
    provider = guesses or NodeGuesses()
    table = ErrorTable()
    jobs = []
    for cond in conds:
        t = atlas.table(cond.gait)
        corners = t.weights(cond.speed, cond.grade)
        have = [(float(t.speeds[i]), float(t.grades[j])) for i, j, _ in corners]
        jobs.append((cond, list(provider.candidates(cond, have))))
    if workers > 1 and len(jobs) > 1:
        import concurrent.futures as cf
        import multiprocessing as mp

        from runmuscles.atlas.build import _one_thread_env

        with (
            _one_thread_env(),
            cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool,
        ):
            results = list(
                pool.map(
                    _first_realistic,
                    [solve] * len(jobs),
                    *zip(*jobs, strict=True),
                    [tries] * len(jobs),
                )
            )
    else:
        results = [_first_realistic(solve, cond, cands, tries) for cond, cands in jobs]
    for (cond, _), (out, why) in zip(jobs, results, strict=True):
        looked = atlas.lookup(np.array([cond.speed]), np.array([cond.grade]), cond.gait)
        what = {"gait": cond.gait, "speed_m_s": cond.speed, "grade": cond.grade}
        if out is None:
            table.failed.append({**what, "why": why})
            continue
        what["warm_start"] = why
        rec = out.record
        groups = list(atlas.groups)
        fresh_res = dict(zip(rec.groups, rec.group_resolved(), strict=True))
        lres = looked.get("resolved")
        table.conditions.append({**what, "iterations": out.info.get("iterations")})
        for kind in KINDS:
            key = f"{kind}_work_j"
            fresh = dict(zip(rec.groups, rec.group[key], strict=True))
            total = float(sum(v for v in fresh.values() if v > 0))
            for c, grp in enumerate(groups):
                if grp not in fresh:
                    continue
                f = float(fresh[grp])
                lk = float(looked[key][0, c])
                resolved = bool(fresh_res[grp]) and (lres is None or lres[0, c] > 0.5)
                share = f / total if total > 0 else 0.0
                table.rows.append(
                    {
                        **what,
                        "group": grp,
                        "kind": kind,
                        "lookup_j": lk,
                        "fresh_j": f,
                        "rel_error": (lk - f) / f if f != 0 else math.inf,
                        "error_share_of_total": (lk - f) / total if total > 0 else math.nan,
                        "share_of_total": share,
                        "resolved": resolved,
                        "significant": resolved and share >= SIGNIFICANT_SHARE and f > 0,
                    }
                )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m runmuscles.atlas.harness``: the harness on an atlas file with the predictive
    solve, warm-started from the atlas's stored strides."""
    import functools

    from runmuscles.atlas.guesses import StrideGuesses
    from runmuscles.atlas.solvers import _runner, predictive_solve

    ap = argparse.ArgumentParser(prog="python -m runmuscles.atlas.harness",
                                 description=__doc__.split("\n\n")[0])  # fmt: skip
    ap.add_argument("--atlas", help="atlas file (default: the shipped one)")
    ap.add_argument("--strides", required=True, help="folder of the atlas's stored strides")
    ap.add_argument("--conditions", type=int, default=12, help="off-grid conditions (>= 10)")
    ap.add_argument("--workers", type=int, default=1, help="solver processes (default 1)")
    ap.add_argument(
        "--tries",
        type=int,
        default=1,
        help="solve each condition from this many corners and keep the lowest objective "
        "(default 1: the nearest corner; 2 matches an atlas built with --polish)",
    )
    ap.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = ap.parse_args(argv)
    atlas = Atlas.load(args.atlas)
    model = json.loads(atlas.table(atlas.gaits[0]).ds.attrs.get("model", "{}"))
    n_int = int(model.get("n_intervals") or 50)
    fp = _runner(atlas.mass_kg, atlas.height_m).fingerprint()
    from pathlib import Path

    guesses = StrideGuesses([Path(args.strides)], fp, n_int)
    solve = functools.partial(predictive_solve, n_intervals=n_int)
    result = interpolation_error(
        atlas, solve, n=args.conditions, guesses=guesses, workers=args.workers, tries=args.tries
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=1, default=str))
    else:
        print(result.to_markdown())
        print(f"\nlargest error over significant groups: {result.max_error * 100:.1f} %")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
