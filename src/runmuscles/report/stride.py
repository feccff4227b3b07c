"""Stride plots from a :class:`~runmuscles.cycle.GaitCycle`: activation curves and a stick figure.

* :func:`activation_curves_svg`: one small panel per muscle group, mean activation (0..1) of the
  group's muscles on one side over the stride (% from right foot strike), with that foot's stance
  shaded and the float phases (both feet off the ground) hatched.
* :func:`stick_figure_svg`: the simulated stride as an SVG animation (SMIL ``<animate>``, no
  script): joint positions are precomputed per frame from the cycle's ``q`` through the runner's
  skeleton (``Skeleton.segment_frames``), muscles drawn as schematic lines coloured by activation.

Muscle attachment points of the figure are schematic (metres in segment frames for a 1.75 m runner,
scaled by height): they show where a muscle lies, not its modelled path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runmuscles.errors import InputError
from runmuscles.report.colour import group_colour, load_colour
from runmuscles.report.svg import el, num, svg, text, title

__all__ = [
    "ANGLES",
    "MUSCLE_LINES",
    "CellCycle",
    "activation_curves_svg",
    "cycle_from_cell",
    "group_activation",
    "group_resolved",
    "has_full_pose",
    "joint_angles_svg",
    "stick_figure_svg",
]

STANCE_FILL, FLOAT_FILL = "#f3e3c3", "#dfe8f3"
#: A group whose activation varies less than this over the stride sits at a bound of the
#: optimisation (the atlas' floor is 0.01): drawn grey and marked unresolved (our threshold).
AT_BOUND_SPAN = 0.005
INK = "#333333"

#: schematic muscle lines: base name -> points as (segment base name, x m, y m) in that segment's
#: frame (origin at its proximal joint, x forward, y up when standing), for a 1.75 m runner.
MUSCLE_LINES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "rect_abd": (("pelvis", 0.09, 0.02), ("torso", 0.11, 0.30)),
    "erector_spinae": (("pelvis", -0.08, 0.10), ("torso", -0.08, 0.36)),
    "delt_ant": (("torso", 0.05, 0.40), ("humerus", 0.02, -0.12)),
    "delt_post": (("torso", -0.05, 0.40), ("humerus", -0.02, -0.12)),
    "lat_dorsi": (("pelvis", -0.07, 0.12), ("torso", -0.09, 0.25), ("humerus", -0.01, -0.06)),
    "teres_major": (("torso", -0.08, 0.33), ("humerus", -0.01, -0.07)),
    "biceps": (("humerus", 0.03, -0.03), ("forearm", 0.02, -0.06)),
    "triceps": (("humerus", -0.03, -0.03), ("forearm", -0.025, 0.02)),
    "tri_long": (("torso", -0.04, 0.38), ("humerus", -0.035, -0.10), ("forearm", -0.025, 0.02)),
    "glut_max": (("pelvis", -0.09, 0.06), ("femur", -0.035, -0.10)),
    "iliopsoas": (("pelvis", 0.03, 0.11), ("pelvis", 0.04, -0.01), ("femur", -0.005, -0.06)),
    "hamstrings": (("pelvis", -0.06, -0.06), ("tibia", -0.03, -0.06)),
    "bifemsh": (("femur", -0.02, -0.22), ("tibia", -0.03, -0.06)),
    "rect_fem": (("pelvis", 0.04, 0.05), ("femur", 0.05, -0.40), ("tibia", 0.04, -0.06)),
    "vasti": (("femur", 0.035, -0.15), ("femur", 0.05, -0.40), ("tibia", 0.04, -0.06)),
    "gastroc": (("femur", -0.03, -0.38), ("tibia", -0.05, -0.12), ("foot", -0.05, -0.02)),
    "soleus": (("tibia", -0.03, -0.15), ("tibia", -0.04, -0.30), ("foot", -0.05, -0.02)),
    "tib_ant": (("tibia", 0.03, -0.12), ("tibia", 0.035, -0.40), ("foot", 0.05, -0.04)),
    "toe_flexors": (("tibia", -0.02, -0.25), ("foot", -0.03, -0.03), ("toes", 0.03, -0.005)),
    "foot_intrinsics": (("foot", -0.02, -0.055), ("toes", 0.02, -0.005)),
}
_BONES: tuple[tuple[str, ...], ...] = (
    ("hip", "lumbar", "shoulder_{s}"),
    ("hip_{s}", "knee_{s}", "ankle_{s}", "heel_{s}", "mtp_{s}", "toe_{s}"),
    ("shoulder_{s}", "elbow_{s}", "wrist_{s}"),
)


def _segments(cycle: Any, side: str) -> list[tuple[float, float]]:
    """Stance intervals of one foot as (start, end) stride fractions (0..1)."""
    frac = np.asarray(cycle.ds["stride_fraction"].values, dtype=float)
    mask = np.asarray(cycle.ds["stance"].sel(side=side).values, dtype=bool)
    return _intervals(frac, mask)


def _intervals(x: NDArray[np.float64], mask: NDArray[np.bool_]) -> list[tuple[float, float]]:
    """Runs of True in ``mask`` as (start, end) in ``x``, edges halfway between samples."""
    out: list[tuple[float, float]] = []
    start: float | None = None
    for i, on in enumerate(mask):
        if on and start is None:
            start = x[0] if i == 0 else 0.5 * (x[i - 1] + x[i])
        if not on and start is not None:
            out.append((float(start), float(0.5 * (x[i - 1] + x[i]))))
            start = None
    if start is not None:
        out.append((float(start), float(x[-1])))
    return out


def group_activation(cycle: Any, group: str, side: str = "r") -> NDArray[np.float64] | None:
    """Mean activation (0..1) over time of a group's muscles on ``side`` (or unpaired 'mid'
    muscles when the group has none on that side); None when the cycle has no such muscle."""
    ds = cycle.ds
    groups = np.asarray(ds["muscle_group"].values).astype(str)
    sides = np.asarray(ds["muscle_side"].values).astype(str)
    pick = (groups == group) & (sides == side)
    if not pick.any():
        pick = (groups == group) & (sides == "mid")
    if not pick.any():
        return None
    act = np.asarray(ds["activation"].values, dtype=float)[:, pick]
    return np.asarray(act.mean(axis=1))


def group_resolved(cycle: Any, group: str) -> bool:
    """False when the cycle marks any muscle of ``group`` as not resolved (``resolved``)."""
    ds = cycle.ds
    if "resolved" not in ds:
        return True
    groups = np.asarray(ds["muscle_group"].values).astype(str)
    flags = np.asarray(ds["resolved"].values).astype(bool)
    return bool(flags[groups == group].all())


def activation_curves_svg(
    cycle: Any,
    groups: Sequence[str] | None = None,
    side: str = "r",
    labels: dict[str, str] | None = None,
    columns: int = 4,
) -> str:
    """Small multiples of group activation over the stride (see module docstring).

    Args:
        cycle: a GaitCycle.
        groups: catalogue ids to draw, in order (default: every group in the cycle).
        side: 'r' or 'l'; the stance shading is that foot's.
        labels: id -> display name.
    """
    if side not in ("r", "l"):
        raise InputError(f"side {side!r} must be 'r' or 'l'")
    present = list(dict.fromkeys(np.asarray(cycle.ds["muscle_group"].values).astype(str)))
    ids = list(groups) if groups is not None else present
    curves = []
    for g in ids:
        c = group_activation(cycle, g, side)
        if c is not None:
            curves.append((g, c))
    if not curves:
        raise InputError(f"the cycle has no muscles of {', '.join(ids) or 'any group'}")
    labels = labels or {}
    frac = np.asarray(cycle.ds["stride_fraction"].values, dtype=float)
    stance = _segments(cycle, side)
    float_mask = np.asarray(~np.asarray(cycle.ds["stance"].values, dtype=bool).any(axis=1))
    floats = _intervals(frac, float_mask)
    pw, ph, mx, my = 170.0, 80.0, 34.0, 34.0
    cols = max(1, min(columns, len(curves)))
    rows = (len(curves) + cols - 1) // cols
    width, height = cols * (pw + mx) + 10, rows * (ph + my) + 34

    parts = [
        el("rect", {"x": 10.0, "y": 4.0, "width": 12.0, "height": 10.0, "fill": STANCE_FILL}),
        text(26, 13, f"stance ({'right' if side == 'r' else 'left'} foot)", {"fill": INK}),
        el("rect", {"x": 170.0, "y": 4.0, "width": 12.0, "height": 10.0, "fill": FLOAT_FILL}),
        text(186, 13, "float (both feet off the ground); white: swing", {"fill": INK}),
    ]
    for k, (gid, act) in enumerate(curves):
        ox = mx + (k % cols) * (pw + mx)
        oy = 34.0 + (k // cols) * (ph + my)

        def X(f: float, ox: float = ox) -> float:
            return ox + pw * f

        def Y(a: float, oy: float = oy) -> float:
            return oy + ph * (1 - a)

        panel = []
        for a0, a1 in stance:
            panel.append(
                el(
                    "rect",
                    {
                        "x": X(a0),
                        "y": oy,
                        "width": X(a1) - X(a0),
                        "height": ph,
                        "fill": STANCE_FILL,
                        "class": "stance",
                    },
                )
            )
        for a0, a1 in floats:
            panel.append(
                el(
                    "rect",
                    {
                        "x": X(a0),
                        "y": oy,
                        "width": X(a1) - X(a0),
                        "height": ph,
                        "fill": FLOAT_FILL,
                        "class": "float",
                    },
                )
            )
        panel.append(
            el(
                "rect",
                {"x": ox, "y": oy, "width": pw, "height": ph, "fill": "none", "stroke": "#bbbbbb"},
            )
        )
        pts = " ".join(
            f"{X(f):.1f},{Y(min(1.0, max(0.0, a))):.1f}" for f, a in zip(frac, act, strict=True)
        )
        name = labels.get(gid, gid.replace("_", " "))
        peak = float(act.max())
        at_bound = float(np.ptp(act)) < AT_BOUND_SPAN
        flat = at_bound or not group_resolved(cycle, gid)
        tip = (
            f"{name}: activation stays at {act.mean():.2f} over the whole stride (a bound of the "
            "optimisation): the model does not resolve this group's timing"
            if at_bound
            else f"{name}: the model does not resolve this group (see the atlas cell's reasons)"
            if flat
            else f"{name}: mean activation {act.mean():.2f}, peak {peak:.2f} "
            f"at {100 * frac[int(act.argmax())]:.0f} % of the stride"
        )
        panel.append(
            el(
                "polyline",
                {
                    "points": pts,
                    "fill": "none",
                    "stroke": "#9a9a9a" if flat else group_colour(gid),
                    "stroke-width": "2",
                    "stroke-dasharray": "4 3" if flat else None,
                    "data-muscle": gid,
                    "data-resolved": "false" if flat else "true",
                    "class": "activation",
                },
                title(tip),
            )
        )
        if flat:
            what = "at its bound: not resolved" if at_bound else "not resolved by the model"
            panel.append(text(ox + pw / 2, oy + ph / 2, what,
                              {"text-anchor": "middle", "fill": "#777", "font-size": "10",
                               "class": "unresolved"}))  # fmt: skip
        panel.append(text(ox, oy - 5, name, {"font-weight": "600", "fill": INK}))
        for a in (0.0, 0.5, 1.0):
            panel.append(
                text(
                    ox - 4,
                    Y(a) + 4,
                    f"{a:g}",
                    {"text-anchor": "end", "fill": "#777", "font-size": "9"},
                )
            )
        for f in (0.0, 0.5, 1.0):
            panel.append(
                text(
                    X(f),
                    oy + ph + 11,
                    f"{100 * f:.0f} %",
                    {"text-anchor": "middle", "fill": "#777", "font-size": "9"},
                )
            )
        parts.append(el("g", {"class": "panel", "data-muscle": gid}, "".join(panel)))
    return svg(width, height, "".join(parts), {"class": "chart activation-curves"})


def _frames_q(
    cycle: Any, dofs: Sequence[str], n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Sample times (n, stride start to end inclusive) and q (n, len(dofs)); absent DOFs are 0."""
    t = np.asarray(cycle.ds["time"].values, dtype=float)
    tf = np.linspace(t[0], t[-1], n)
    have = [str(d) for d in cycle.ds["dof"].values]
    q = np.zeros((n, len(dofs)))
    qa = np.asarray(cycle.ds["q"].values, dtype=float)
    for j, d in enumerate(dofs):
        if d in have:
            q[:, j] = np.interp(tf, t, qa[:, have.index(d)])
    return tf, q


def stick_figure_svg(
    cycle: Any,
    runner: Any = None,
    frames: int = 40,
    slowdown: float = 3.0,
    size: float = 360.0,
) -> str:
    """Animated stick figure of the stride (see module docstring).

    Args:
        cycle: a GaitCycle (its ``q``; DOFs it lacks are held at 0).
        runner: a Runner (default: built from the cycle's mass and height).
        frames: poses per stride (>= 2); the last repeats the first pose of the periodic stride.
        slowdown: the animation plays the stride this many times slower than real time.
        size: width and height of the drawing (px).

    The ``<svg>`` carries ``data-frames`` (= ``frames``); every ``<animate>`` has that many values.
    """
    if frames < 2:
        raise InputError(f"frames {frames!r} must be at least 2")
    if not slowdown > 0:
        raise InputError(f"slowdown {slowdown!r} must be positive")
    if runner is None:
        from runmuscles.model.runner import Runner

        c = cycle.condition
        runner = Runner(mass=c["mass_kg"], height=c["height_m"])
    sk = runner.skeleton
    scale_m = float(runner.height) / 1.75
    tf, q = _frames_q(cycle, sk.dofs, frames)
    # activation of every muscle at the frame times
    t = np.asarray(cycle.ds["time"].values, dtype=float)
    act_all = np.asarray(cycle.ds["activation"].values, dtype=float)
    names = [str(m) for m in cycle.ds["muscle"].values]
    acts = {m: np.interp(tf, t, act_all[:, i]) for i, m in enumerate(names)}

    pos: list[dict[str, NDArray[np.float64]]] = []
    for k in range(frames):
        frames_k = sk.segment_frames(q[k])
        pts = {n: np.asarray(p, dtype=float) for n, p in sk.point_positions(q[k]).items()}
        for seg, (x, y, ang) in frames_k.items():
            pts[f"@{seg}"] = np.array([float(x), float(y), float(ang)])
        pos.append(pts)

    def local(seg: str, lx: float, ly: float, k: int) -> NDArray[np.float64]:
        x, y, a = pos[k][f"@{seg}"]
        c, s = np.cos(a), np.sin(a)
        lx, ly = lx * scale_m, ly * scale_m
        return np.array([x + c * lx - s * ly, y + s * lx + c * ly])

    # screen: hip centre fixed horizontally (treadmill view), ground at the lowest foot point
    foot_pts = [p[f"{n}_{s}"][1] for p in pos for n in ("heel", "ball", "toe") for s in ("r", "l")]
    ground = min(foot_pts)
    k_px = 0.82 * size / (float(runner.height) * 1.05)
    cx, gy = size * 0.5, size - 34.0

    def sx(p: NDArray[np.float64], k: int) -> str:
        x = cx + k_px * (p[0] - pos[k]["hip"][0])
        y = gy - k_px * (p[1] - ground)
        return f"{num(x, 1)},{num(y, 1)}"

    dur = f"{num(slowdown * float(tf[-1] - tf[0]), 3)}s"

    def anim(attr: str, values: list[str]) -> str:
        return el(
            "animate",
            {
                "attributeName": attr,
                "values": ";".join(values),
                "dur": dur,
                "repeatCount": "indefinite",
                "calcMode": "linear",
            },
        )

    def poly(points_per_frame: list[str], attrs: dict[str, object], extra: str = "") -> str:
        a = {"points": points_per_frame[0], "fill": "none", **attrs}
        return el("polyline", a, anim("points", points_per_frame) + extra)

    layers = []
    for side, opacity in (("l", "0.45"), ("r", "1")):
        part = []
        for bone in _BONES:
            if bone[0] == "hip" and side == "l":
                continue  # the trunk is drawn once, with the near side
            names_b = [b.format(s=side) for b in bone]
            ppf = [" ".join(sx(pos[k][n], k) for n in names_b) for k in range(frames)]
            part.append(
                poly(
                    ppf,
                    {
                        "stroke": "#555555",
                        "stroke-width": "5",
                        "stroke-linecap": "round",
                        "stroke-linejoin": "round",
                        "class": "bone",
                    },
                )
            )
        for base, path in MUSCLE_LINES.items():
            mname = f"{base}_{side}" if f"{base}_{side}" in acts else base
            if mname not in acts or (mname == base and side == "l"):
                continue
            segs = [
                (seg if seg in ("pelvis", "torso") else f"{seg}_{side}", x, y) for seg, x, y in path
            ]
            ppf = [" ".join(sx(local(s, x, y, k), k) for s, x, y in segs) for k in range(frames)]
            a = acts[mname]
            colours = [load_colour(float(min(1.0, max(0.0, v)))) for v in a]
            outline = {"stroke": "#5a5a5a", "stroke-width": "5.5", "stroke-linecap": "round"}
            part.append(poly(ppf, {**outline, "class": "muscle-outline"}))
            part.append(
                poly(
                    ppf,
                    {
                        "stroke": colours[0],
                        "stroke-width": "3.5",
                        "stroke-linecap": "round",
                        "data-muscle-line": mname,
                        "class": "muscle",
                    },
                    anim("stroke", colours)
                    + title(f"{mname}: activation {a.min():.2f}-{a.max():.2f}"),
                )
            )
        layers.append(el("g", {"opacity": opacity, "data-side": side}, "".join(part)))
    # head, and the neck from the shoulders into it
    hc = [
        (pos[k]["shoulder_r"] + 0.68 * (pos[k]["head"] - pos[k]["shoulder_r"]))
        for k in range(frames)
    ]
    r_head = 0.3 * float(np.linalg.norm(pos[0]["head"] - pos[0]["shoulder_r"])) * k_px
    head_xy = [sx(h, k).split(",") for k, h in enumerate(hc)]
    head = el(
        "circle",
        {"cx": head_xy[0][0], "cy": head_xy[0][1], "r": r_head, "fill": "#555555"},
        anim("cx", [h[0] for h in head_xy]) + anim("cy", [h[1] for h in head_xy]),
    )
    neck_ppf = [f"{sx(pos[k]['shoulder_r'], k)} {sx(hc[k], k)}" for k in range(frames)]
    head = poly(neck_ppf, {"stroke": "#555555", "stroke-width": "5", "class": "neck"}) + head
    # ground and a progress cursor over the stride with the right foot's stance marked
    bar_y, bar_w, bar_x = size - 16.0, size - 40.0, 20.0
    deco = [el("line", {"x1": 0.0, "y1": gy, "x2": size, "y2": gy, "stroke": "#999999"})]
    deco.append(
        el("rect", {"x": bar_x, "y": bar_y, "width": bar_w, "height": 6.0, "fill": "#eeeeee"})
    )
    for a0, a1 in _segments(cycle, "r"):
        deco.append(
            el(
                "rect",
                {
                    "x": bar_x + bar_w * a0,
                    "y": bar_y,
                    "width": bar_w * (a1 - a0),
                    "height": 6.0,
                    "fill": STANCE_FILL,
                },
            )
        )
    cursor = [num(bar_x + bar_w * f, 1) for f in np.linspace(0, 1, frames)]
    deco.append(
        el(
            "rect",
            {"x": cursor[0], "y": bar_y - 3, "width": 2.0, "height": 12.0, "fill": INK},
            anim("x", cursor),
        )
    )
    deco.append(
        text(
            bar_x,
            bar_y - 6,
            f"stride (right stance shaded), {slowdown:g}x slower",
            {"fill": "#777", "font-size": "10"},
        )
    )
    # activation colour key
    key = [text(10, 16, "activation", {"fill": "#777", "font-size": "10"})]
    for i in range(10):
        key.append(
            el(
                "rect",
                {
                    "x": 64.0 + 8 * i,
                    "y": 8.0,
                    "width": 8.0,
                    "height": 9.0,
                    "fill": load_colour((i + 0.5) / 10),
                },
            )
        )
    key.append(text(64, 28, "0", {"fill": "#777", "font-size": "9"}))
    key.append(text(144, 28, "1", {"fill": "#777", "font-size": "9", "text-anchor": "end"}))
    inner = "".join(deco + key) + layers[0] + layers[1] + head
    return svg(size, size, inner, {"class": "stick-figure", "data-frames": str(frames)})


# ------------------------------------------------------------------ strides from the atlas
class CellCycle:
    """A stride rebuilt from stored curves (``runmuscles.store.analysis.stride_cell``): what the
    plots above read from a GaitCycle (``ds`` with time, stride_fraction, activation per group as
    one right-side "muscle", stance per side, and ``q`` where joint angles were stored), plus
    ``condition``. Phases: right stance is the first ``duty_factor`` of the stride (it starts at
    right foot strike), the left foot strikes half a stride later (a symmetric stride)."""

    def __init__(self, cell: Mapping[str, Any]) -> None:
        import xarray as xr

        frac = np.asarray(cell["stride_fraction"], dtype=float)
        if frac.ndim != 1 or frac.size < 2:
            raise InputError("a stored stride needs two or more stride_fraction samples")
        groups = list(cell["activation"])
        act = np.array([cell["activation"][g] for g in groups], dtype=float).T
        stride_t = float(cell.get("stride_time_s") or 1.0)
        duty = cell.get("duty_factor")
        if duty is None and cell.get("contact_time_s") and cell.get("stride_time_s"):
            duty = float(cell["contact_time_s"]) / stride_t
        stance = np.zeros((frac.size, 2), dtype=bool)
        if duty is not None and 0 < float(duty) < 1:
            stance[:, 0] = frac < float(duty)
            stance[:, 1] = ((frac - 0.5) % 1.0) < float(duty)
        res = cell.get("resolved") or {}
        data: dict[str, Any] = {
            "activation": (("time", "muscle"), act),
            "stance": (("time", "side"), stance),
            "resolved": (("muscle",), np.array([bool(res.get(g, True)) for g in groups])),
        }
        coords: dict[str, Any] = {
            "time": frac * stride_t,
            "stride_fraction": ("time", frac),
            "muscle": [f"{g}_r" for g in groups],
            "muscle_group": ("muscle", groups),
            "muscle_side": ("muscle", ["r"] * len(groups)),
            "side": ["r", "l"],
        }
        angles: dict[str, list[float]] = {}
        if isinstance(cell.get("q_rad"), Mapping):
            angles = {d: list(v) for d, v in cell["q_rad"].items()}
        elif isinstance(cell.get("joint_angle_deg"), Mapping):
            angles = {d: list(np.radians(v)) for d, v in cell["joint_angle_deg"].items()}
        if angles:
            dofs = list(angles)
            data["q"] = (("time", "dof"), np.array([angles[d] for d in dofs], dtype=float).T)
            coords["dof"] = dofs
        self.ds = xr.Dataset(data, coords=coords)
        self.condition = {
            "speed_m_s": float(cell.get("speed_m_s", 0.0)),
            "grade": float(cell.get("grade", 0.0)),
            "mass_kg": float(cell.get("mass_kg", 70.0)),
            "height_m": float(cell.get("height_m", 1.75)),
        }


def cycle_from_cell(cell: Mapping[str, Any]) -> CellCycle:
    """The stored atlas-cell stride as a GaitCycle-like object (:class:`CellCycle`)."""
    return CellCycle(cell)


def has_full_pose(cycle: Any) -> bool:
    """True when the cycle has an angle for every degree of freedom of the runner model."""
    if "q" not in cycle.ds:
        return False
    from runmuscles.model.runner import Runner

    have = {str(d) for d in cycle.ds["dof"].values}
    return set(Runner().skeleton.dofs) <= have


#: Joint angles drawn by :func:`joint_angles_svg`: dof -> (title, what positive means).
ANGLES: dict[str, tuple[str, str]] = {
    "hip_r": ("Hip", "flexion +"),
    "knee_r": ("Knee", "flexion +"),
    "ankle_r": ("Ankle", "dorsiflexion +"),
}


def joint_angles_svg(cycle: Any, dofs: Sequence[str] = tuple(ANGLES)) -> str:
    """Hip, knee and ankle angle (degrees, right leg) over the stride, right stance shaded and
    float phases tinted; round ticks. Empty string when the cycle has none of ``dofs``."""
    from runmuscles.report.axes import nice_ticks, tick_label

    if "q" not in cycle.ds:
        return ""
    have = [str(d) for d in cycle.ds["dof"].values]
    pick = [d for d in dofs if d in have]
    if not pick:
        return ""
    frac = np.asarray(cycle.ds["stride_fraction"].values, dtype=float)
    stance = _segments(cycle, "r")
    float_mask = np.asarray(~np.asarray(cycle.ds["stance"].values, dtype=bool).any(axis=1))
    floats = _intervals(frac, float_mask)
    pw, ph, mx, top = 200.0, 110.0, 52.0, 40.0
    width = len(pick) * (pw + mx) + 20
    height = top + ph + 40
    parts = [
        text(
            10,
            14,
            "joint angle, degrees (right leg), over the stride from right foot strike",
            {"fill": INK, "font-weight": "600"},
        )
    ]
    for k, dof in enumerate(pick):
        ox = mx + k * (pw + mx)
        deg = np.degrees(np.asarray(cycle.ds["q"].sel(dof=dof).values, dtype=float))
        ticks = nice_ticks(float(deg.min()), float(deg.max()), 4)
        lo, hi = ticks[0], ticks[-1]
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0

        def X(f: float, ox: float = ox) -> float:
            return ox + pw * f

        def Y(a: float, lo: float = lo, hi: float = hi) -> float:
            return top + ph * (hi - a) / (hi - lo)

        panel = [
            el(
                "rect",
                {
                    "x": X(a0),
                    "y": top,
                    "width": X(a1) - X(a0),
                    "height": ph,
                    "fill": STANCE_FILL,
                    "class": "stance",
                },
            )
            for a0, a1 in stance
        ]
        panel += [
            el(
                "rect",
                {
                    "x": X(a0),
                    "y": top,
                    "width": X(a1) - X(a0),
                    "height": ph,
                    "fill": FLOAT_FILL,
                    "class": "float",
                },
            )
            for a0, a1 in floats
        ]
        for t in ticks:
            panel.append(
                el("line", {"x1": ox, "y1": Y(t), "x2": ox + pw, "y2": Y(t), "stroke": "#e3e3e3"})
            )
            panel.append(
                text(
                    ox - 4,
                    Y(t) + 4,
                    tick_label(t, step),
                    {"text-anchor": "end", "fill": "#777", "font-size": "9"},
                )
            )
        pts = " ".join(f"{X(f):.1f},{Y(a):.1f}" for f, a in zip(frac, deg, strict=True))
        name, sign = ANGLES.get(dof, (dof, ""))
        panel.append(
            el(
                "polyline",
                {
                    "points": pts,
                    "fill": "none",
                    "stroke": INK,
                    "stroke-width": "2",
                    "class": "angle",
                    "data-dof": dof,
                },
                title(f"{name}: {deg.min():.0f} to {deg.max():.0f} degrees"),
            )
        )
        panel.append(text(ox, top - 6, f"{name} ({sign})", {"font-weight": "600", "fill": INK}))
        for f in (0.0, 0.5, 1.0):
            panel.append(
                text(
                    X(f),
                    top + ph + 12,
                    f"{100 * f:.0f} %",
                    {"text-anchor": "middle", "fill": "#777", "font-size": "9"},
                )
            )
        parts.append(el("g", {"class": "panel", "data-dof": dof}, "".join(panel)))
    return svg(width, height, "".join(parts), {"class": "chart joint-angles"})
