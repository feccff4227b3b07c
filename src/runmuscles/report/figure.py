"""A static picture of one stride (PNG or SVG through matplotlib): joint angles, ground forces and
muscle-group activations over the stride, with stance/swing/float shaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from runmuscles.errors import InputError

__all__ = ["save_stride_plot"]

PHASE_COLOURS = {"stance": "#d8e8f5", "float": "#f6e7c8"}


def _shade(ax: Any, pct: np.ndarray, mask: np.ndarray, colour: str) -> None:
    start = None
    for i, on in enumerate(mask):
        if on and start is None:
            start = pct[i]
        if start is not None and (not on or i == len(mask) - 1):
            ax.axvspan(start, pct[i], color=colour, lw=0)
            start = None


def save_stride_plot(cycle: Any, path: str | Path) -> None:
    """Write a three-panel figure of ``cycle`` (a GaitCycle) to ``path`` (.png or .svg)."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot {path}: give a .png, .svg or .pdf file name")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = cycle.ds
    t = ds["time"].values
    pct = 100 * (t - t[0]) / (t[-1] - t[0])
    stance_r = ds["stance"].sel(side="r").values
    flight = ~ds["stance"].values.any(axis=1)
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    for ax in axes:
        _shade(ax, pct, stance_r, PHASE_COLOURS["stance"])
        _shade(ax, pct, flight, PHASE_COLOURS["float"])
    for dof in ("hip_r", "knee_r", "ankle_r"):
        axes[0].plot(pct, np.degrees(ds["q"].sel(dof=dof).values), label=dof)
    axes[0].set_ylabel("angle (deg)")
    axes[0].legend(loc="upper right", fontsize=8)
    weight = cycle.condition["mass_kg"] * 9.80665
    for side in ("r", "l"):
        fy = ds["grf"].sel(side=side, component="fy").values
        axes[1].plot(pct, fy / weight, label=f"vertical {side}")
    axes[1].plot(pct, ds["grf"].sel(side="r", component="fx").values / weight, label="fore-aft r")
    axes[1].set_ylabel("ground force (BW)")
    axes[1].legend(loc="upper right", fontsize=8)
    groups = ds["muscle_group"].values
    sides = ds["muscle_side"].values
    act = ds["activation"].values  # (time, muscle)
    for g in dict.fromkeys(groups):
        sel = (groups == g) & (sides == "r")
        if sel.any():
            axes[2].plot(pct, act[:, sel].mean(axis=1), label=str(g))
    axes[2].set_ylabel("activation, right (0-1)")
    axes[2].set_xlabel("% of stride from right foot strike (blue: right stance, sand: float)")
    axes[2].legend(loc="upper right", fontsize=7, ncol=3)
    c = cycle.condition
    fig.suptitle(f"{c['speed_m_s']:.2f} m/s, grade {c['grade'] * 100:+.1f} %")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
