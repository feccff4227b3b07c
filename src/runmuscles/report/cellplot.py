"""The curves of one atlas stride as a figure (``runmuscles explore ... --plot FILE``).

Three panels over the stride (0..100 %, from right foot strike): right-leg joint angles (deg;
hip, knee and ankle, flexion/dorsiflexion positive as in :mod:`runmuscles.conventions`), the
right foot's ground reaction force (vertical and fore-aft, body weights), and the activation of
each muscle group of the right leg (mean of its members; groups the model does not resolve are
drawn dashed and labelled so). Input: :func:`runmuscles.cli.atlas.explore_data`'s dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from runmuscles.errors import InputError
from runmuscles.units import G

__all__ = ["plot_cell"]

#: Joint angles drawn: dof -> label.
ANGLES = {"hip_r": "hip", "knee_r": "knee", "ankle_r": "ankle"}


def plot_cell(data: Mapping[str, Any], path: str | Path) -> Path:
    """Draw the curves of ``data`` (an ``explore`` answer with ``curves``) to ``path``."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot {path}: give a .png, .svg or .pdf file name")
    if not path.parent.exists():
        raise InputError(f"--plot {path}: the folder {path.parent} does not exist")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("--plot needs matplotlib: pip install 'runmuscles[plot]'") from None
    curves = data["curves"]
    x = 100.0 * np.asarray(curves["stride_fraction"], dtype=float)
    cond = data["condition"]
    what = "Walking" if cond.get("gait") == "walk" else "Running"
    fig, axes = plt.subplots(3, 1, figsize=(7.0, 9.0), sharex=True)
    ax = axes[0]
    angles = curves.get("joint_angle_rad") or {}
    for dof, label in ANGLES.items():
        if dof in angles:
            ax.plot(x, np.degrees(angles[dof]), label=label)
    ax.set_ylabel("right leg angle (deg)")
    if not angles:
        ax.text(0.5, 0.5, "this atlas stores no joint angles", ha="center",
                transform=ax.transAxes)  # fmt: skip
    ax.legend(loc="best", fontsize="small")
    ax = axes[1]
    grf = curves.get("grf_n") or {}
    bw = float(cond.get("mass_kg", 70.0)) * G
    for key, label in (("fy_r", "vertical"), ("fx_r", "fore-aft (+ forward)")):
        if key in grf:
            ax.plot(x, np.asarray(grf[key], dtype=float) / bw, label=label)
    ax.set_ylabel("right foot ground force (BW)")
    if not grf:
        ax.text(0.5, 0.5, "this atlas stores no ground forces", ha="center",
                transform=ax.transAxes)  # fmt: skip
    ax.legend(loc="best", fontsize="small")
    ax = axes[2]
    groups: dict[str, list[np.ndarray]] = {}
    for m in data["muscles"]:
        if m["side"] in ("r", "mid"):
            groups.setdefault(m["group"], []).append(
                np.asarray(curves["activation"][m["name"]], dtype=float)
            )
    resolved = {g: v.get("resolved") for g, v in data["groups"].items()}
    for g, series in groups.items():
        ok = resolved.get(g) is not False
        ax.plot(
            x,
            np.mean(series, axis=0),
            linestyle="-" if ok else "--",
            label=g.replace("_", " ") + ("" if ok else " (not resolved)"),
        )
    ax.set_ylabel("activation (0..1)")
    ax.set_xlabel("% of the stride from right foot strike")
    ax.legend(loc="upper right", fontsize="x-small", ncol=2)
    fig.suptitle(
        f"{what} {cond['speed_m_s']:g} m/s, grade {cond['grade'] * 100:+.1f} % "
        "(muscle atlas, interpolated)"
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
