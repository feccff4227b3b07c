"""Front and back body heat map as SVG, drawn by the project from outlines of the muscles.

Each muscle region is one or more SVG paths (a group drawn as the muscles a runner knows: the
three visible heads of the quadriceps, the two hamstrings, the two calf heads over the soleus,
gluteus maximus and medius) with
``data-muscle="<catalogue id>"``, ``data-side`` (``r``, ``l`` or ``mid``) and a ``<title>`` child
(name and numbers, shown on hover). Bilateral groups are drawn on both sides. Fill colours come from
:func:`runmuscles.report.colour.load_colour` applied to ``value / vmax`` (the largest value unless
given), so the darkest region is the most loaded; regions without a value are grey.

Geometry: each view is 200 x 460 user units, body midline at x = 100; shapes are listed for the
viewer's right half as (dx from the midline, y) and mirrored. In the front view the runner's right
side is on the viewer's left; in the back view it is on the viewer's right.

Pure string building (no dependencies); the output parses as XML (tested).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping

from runmuscles import conventions
from runmuscles.errors import InputError, UnknownNameError
from runmuscles.report.colour import NO_DATA, load_colour
from runmuscles.report.svg import el, num, svg, text, title

__all__ = [
    "BACK_GROUPS",
    "FRONT_GROUPS",
    "GROUP_IDS",
    "body_map_svg",
    "body_view_svg",
    "colour_bar_svg",
]

VIEW_W, VIEW_H, MID = 200.0, 460.0, 100.0

# A shape is a closed outline through points (dx from the midline, y) on the viewer's right
# half, drawn as a smooth Catmull-Rom curve and mirrored for the other side.
Shape = tuple[tuple[float, float], ...]

# torso and legs, viewer's right half from the neck round the outside of the leg, under the foot
# and up the inside to the crotch (mirrored and closed)
_BODY_HALF: Shape = (
    (8, 58),
    (22, 63),
    (35, 68),
    (41, 76),
    (41, 92),
    (39, 112),
    (36, 140),
    (34, 165),
    (35, 185),
    (38, 202),
    (41, 222),
    (42, 246),
    (40, 276),
    (36, 306),
    (33, 330),
    (35, 350),
    (33, 378),
    (28, 405),
    (24, 425),
    (27, 436),
    (28, 443),
    (12, 446),
    (10, 438),
    (12, 425),
    (11, 405),
    (9, 378),
    (9, 350),
    (9, 330),
    (7, 300),
    (5, 270),
    (2, 250),
    (0, 246),
)
_ARM: Shape = (
    (37, 70), (48, 76), (54, 92), (56, 114), (58, 140), (61, 170), (64, 200), (67, 225),
    (69, 240), (67, 256), (61, 259), (57, 246), (55, 228), (51, 200), (47, 170), (44, 142),
    (42, 116), (40, 92),
)  # fmt: skip

#: region shapes per view: group id -> outlines drawn on both sides (anatomy in outline: the
#: quadriceps as vastus lateralis, rectus femoris and the vastus medialis "teardrop"; the
#: hamstrings as biceps femoris and the semi- muscles; the calf as the two gastrocnemius heads
#: over the soleus; gluteus maximus with gluteus medius above it)
_FRONT: dict[str, tuple[Shape, ...]] = {
    "deltoids": (
        ((31, 66), (42, 67), (52, 78), (56, 96), (52, 110), (45, 104), (40, 88), (33, 75)),
    ),
    "biceps": (((45, 108), (52, 112), (55, 132), (54, 152), (50, 162), (46, 150), (44, 128)),),
    "hip_flexors": (((10, 212), (24, 204), (30, 212), (22, 232), (12, 244), (7, 232)),),
    "quadriceps": (
        ((33, 232), (41, 242), (41, 270), (38, 300), (33, 322), (29, 312), (30, 280), (31, 250)),
        ((20, 226), (29, 230), (31, 260), (29, 292), (25, 318), (20, 320), (17, 292), (16, 258)),
        ((11, 290), (17, 298), (21, 318), (18, 332), (11, 330), (8, 316), (8, 300)),
    ),
    "tibialis_anterior": (
        ((24, 344), (30, 350), (30, 372), (27, 398), (24, 418), (21, 416), (22, 392), (22, 366)),
    ),
    "foot": (((13, 432), (25, 431), (27, 440), (24, 444), (13, 444), (11, 438)),),
}
_BACK: dict[str, tuple[Shape, ...]] = {
    "deltoids": (
        ((31, 66), (42, 67), (52, 78), (56, 96), (52, 110), (45, 104), (40, 88), (33, 75)),
    ),
    "triceps": (((44, 106), (53, 110), (56, 132), (54, 154), (50, 166), (46, 154), (43, 130)),),
    "back_extensors": (((3, 120), (11, 122), (14, 160), (14, 195), (10, 210), (4, 208), (3, 170)),),
    # latissimus dorsi (with teres major at its top, under the armpit): the wing from the
    # armpit down to the lower back, beside the back extensors
    "lats": (
        (
            (15, 118),
            (26, 104),
            (37, 93),
            (38, 112),
            (35, 140),
            (32, 165),
            (22, 188),
            (16, 196),
            (15, 158),
        ),
    ),
    "gluteals": (
        ((3, 214), (16, 204), (32, 206), (41, 218), (41, 238), (33, 253), (17, 257), (4, 251)),
        ((24, 194), (36, 195), (41, 207), (31, 203)),
    ),
    "hamstrings": (
        ((25, 260), (34, 264), (36, 290), (33, 318), (28, 336), (24, 330), (24, 300)),
        ((7, 260), (21, 262), (22, 292), (19, 320), (14, 336), (9, 328), (7, 296)),
    ),
    "calves": (
        ((11, 398), (26, 396), (24, 418), (14, 421)),
        ((22, 338), (31, 342), (34, 360), (31, 382), (26, 396), (21, 386), (20, 360)),
        ((9, 336), (19, 338), (20, 362), (17, 392), (12, 402), (8, 388), (7, 360)),
    ),
}
# abdominals: one central rounded rectangle (x, y, w, h, corner radius)
_ABS = (84.0, 100.0, 32.0, 100.0, 11.0)

#: groups drawn in each view (anatomically visible there)
FRONT_GROUPS: tuple[str, ...] = ("abdominals", *_FRONT)
BACK_GROUPS: tuple[str, ...] = tuple(_BACK)
#: every catalogue muscle-group id the map can show
GROUP_IDS: tuple[str, ...] = conventions.GROUP_IDS

_SILHOUETTE_FILL = "#eceae6"
_OUTLINE = "#b9b4ab"


def _shape(shape: Shape, sign: int, attrs: Mapping[str, object], inner: str = "") -> str:
    pts = [(MID + sign * dx, float(y)) for dx, y in shape]
    a: dict[str, object] = {"d": _smooth_closed(pts)}
    a.update(attrs)
    return el("path", a, inner)


def _smooth_closed(points: list[tuple[float, float]]) -> str:
    """Closed Catmull-Rom spline through the points as an SVG path ``d``."""
    n = len(points)
    d = [f"M{num(points[0][0])} {num(points[0][1])}"]
    for i in range(n):
        p0, p1, p2, p3 = (points[(i + k) % n] for k in (-1, 0, 1, 2))
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        d.append(f"C{num(c1[0])} {num(c1[1])} {num(c2[0])} {num(c2[1])} {num(p2[0])} {num(p2[1])}")
    return "".join(d) + "Z"


def _silhouette() -> str:
    half = [(MID + dx, float(y)) for dx, y in _BODY_HALF]
    other = [(MID - dx, float(y)) for dx, y in reversed(_BODY_HALF[1:-1])]
    body = el("path", {"d": _smooth_closed(half + other)})
    parts = [
        el("rect", {"x": 91.0, "y": 44.0, "width": 18.0, "height": 22.0, "rx": 5.0}),
        body,
        el("ellipse", {"cx": MID, "cy": 30.0, "rx": 16.0, "ry": 20.0}),
    ]
    parts += [_shape(_ARM, s, {}) for s in (1, -1)]
    return el(
        "g",
        {"class": "silhouette", "fill": _SILHOUETTE_FILL, "stroke": _OUTLINE, "stroke-width": "1"},
        "".join(parts),
    )


def _check_ids(values: Mapping[str, object], what: str) -> None:
    for gid in values:
        if gid not in GROUP_IDS:
            close = tuple(difflib.get_close_matches(gid, GROUP_IDS, n=3, cutoff=0.6))
            raise UnknownNameError(
                f"{what}: {gid!r} is not a muscle group the body map draws; use one of "
                f"{', '.join(GROUP_IDS)}",
                close,
            )


def _scale(values: Mapping[str, float | None], vmax: float | None) -> float:
    for gid, v in values.items():
        if v is not None and (not math.isfinite(v) or v < 0):
            raise InputError(f"body map value for {gid!r} is {v!r}; loads must be finite and >= 0")
    if vmax is not None:
        if not (math.isfinite(vmax) and vmax > 0):
            raise InputError(f"vmax {vmax!r} must be a positive number")
        return vmax
    present = [v for v in values.values() if v is not None]
    return max(present) if present and max(present) > 0 else 1.0


def body_view_svg(
    view: str,
    values: Mapping[str, float | None],
    *,
    labels: Mapping[str, str] | None = None,
    details: Mapping[str, str] | None = None,
    vmax: float | None = None,
    unit: str = "J",
) -> str:
    """One view (``"front"`` or ``"back"``) as an ``<svg>`` 200 x 460.

    Args:
        values: group id -> load (>= 0, in ``unit``; None = no data). Missing groups are grey.
        labels: group id -> display name (default: the id with spaces).
        details: group id -> extra hover text (e.g. "concentric 1200 J, eccentric 800 J").
        vmax: the load drawn darkest (default: the largest value).
    """
    return svg(VIEW_W, VIEW_H, _view(view, values, labels, details, vmax, unit))


def _view(
    view: str,
    values: Mapping[str, float | None],
    labels: Mapping[str, str] | None,
    details: Mapping[str, str] | None,
    vmax: float | None,
    unit: str,
) -> str:
    if view not in ("front", "back"):
        raise InputError(f"unknown body view {view!r}; use 'front' or 'back'")
    _check_ids(values, "values")
    top = _scale(values, vmax)
    labels = labels or {}
    details = details or {}

    def attrs(gid: str, side: str) -> tuple[dict[str, object], str]:
        v = values.get(gid)
        fill = NO_DATA if v is None else load_colour(v / top)
        name = labels.get(gid, gid.replace("_", " "))
        words = [name, f"{v:.0f} {unit}" if v is not None else "no data"]
        if gid in details:
            words.append(details[gid])
        a: dict[str, object] = {
            "data-muscle": gid,
            "data-side": side,
            "data-value": "" if v is None else f"{v:.6g}",
            "fill": fill,
        }
        return a, title(" - ".join(words))

    parts = [_silhouette()]
    shapes = _FRONT if view == "front" else _BACK
    if view == "front":
        a, t = attrs("abdominals", "mid")
        x, y, w, h, r = _ABS
        a.update({"x": x, "y": y, "width": w, "height": h, "rx": r})
        parts.append(el("rect", a, t))
        lines = "".join(  # decorative tendinous lines of the abdominals
            el("line", {"x1": x + 2, "y1": yy, "x2": x + w - 2, "y2": yy})
            for yy in (y + 25, y + 50, y + 75)
        ) + el("line", {"x1": MID, "y1": y + 3, "x2": MID, "y2": y + h - 3})
        parts.append(
            el("g", {"class": "deco", "stroke": "#ffffff", "stroke-opacity": "0.6"}, lines)
        )
    for gid, outlines in shapes.items():
        for shape in outlines:
            for sign in (1, -1):
                # front view: the runner's right side is on the viewer's left (sign -1)
                side = ("l" if sign > 0 else "r") if view == "front" else ("r" if sign > 0 else "l")
                a, t = attrs(gid, side)
                parts.append(_shape(shape, sign, a, t))
    right_x = 22.0 if view == "front" else VIEW_W - 22.0
    left_x = VIEW_W - 22.0 if view == "front" else 22.0
    parts.append(text(right_x, 458.0, "R", {"text-anchor": "middle", "fill": "#777"}))
    parts.append(text(left_x, 458.0, "L", {"text-anchor": "middle", "fill": "#777"}))
    parts.append(
        text(
            MID,
            458.0,
            view.upper(),
            {"text-anchor": "middle", "font-weight": "600", "fill": "#555"},
        )
    )
    return el(
        "g",
        {"data-view": view, "class": "bodyview", "stroke": "#ffffff", "stroke-width": "1.2"},
        "".join(parts),
    )


def colour_bar_svg(vmax: float, unit: str, height: float = 300.0, steps: int = 40) -> str:
    """Vertical legend of the load scale, 0 (bottom) to ``vmax`` (top), as a ``<g>`` at 0,0."""
    h = height / steps
    rects = "".join(
        el(
            "rect",
            {
                "x": 0.0,
                "y": height - (i + 1) * h,
                "width": 16.0,
                "height": h + 0.5,
                "fill": load_colour((i + 0.5) / steps),
                "data-fraction": f"{(i + 0.5) / steps:.4f}",
            },
        )
        for i in range(steps)
    )
    ticks = []
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = height - f * height
        ticks.append(el("line", {"x1": 16.0, "y1": y, "x2": 20.0, "y2": y, "stroke": "#666"}))
        v = f * vmax
        label = f"{v / 1000:.3g}k" if v >= 1e4 else f"{v:.3g}" if v < 100 else f"{v:.0f}"
        ticks.append(text(23.0, y + 4, label, {"fill": "#333"}))
    cap = text(0.0, -10.0, unit, {"fill": "#333", "font-weight": "600"})
    nod = el("rect", {"x": 0.0, "y": height + 16, "width": 16.0, "height": 10.0, "fill": NO_DATA})
    nod += text(23.0, height + 25, "no data", {"fill": "#333"})
    return el("g", {"class": "legend"}, rects + "".join(ticks) + cap + nod)


def body_map_svg(
    values: Mapping[str, float | None],
    *,
    labels: Mapping[str, str] | None = None,
    details: Mapping[str, str] | None = None,
    vmax: float | None = None,
    unit: str = "J",
    caption: str = "",
) -> str:
    """Front and back views side by side with a colour-bar legend, as one ``<svg>`` (530 x 470).

    Arguments as in :func:`body_view_svg`; both views share one colour scale.
    """
    _check_ids(values, "values")
    top = _scale(values, vmax)
    front = _view("front", values, labels, details, top, unit)
    back = _view("back", values, labels, details, top, unit)
    inner = (
        front
        + el("g", {"transform": "translate(210 0)"}, back)
        + el("g", {"transform": "translate(440 110)"}, colour_bar_svg(top, unit, height=280.0))
    )
    if caption:
        inner = title(caption) + inner
    return svg(
        530.0,
        470.0,
        inner,
        {"class": "bodymap", "role": "img", "aria-label": caption or "body heat map"},
    )
