"""Fuzz the activity readers: any bytes give an Activity or a FileFormatError, nothing else.

Random bytes, random bytes behind a valid-looking FIT header or XML root, and real files with
flipped, deleted or truncated bytes. Examples are few and each has a deadline, so the default
suite stays fast and a hang fails loudly.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runmuscles.errors import FileFormatError
from runmuscles.io import parse_activity
from runmuscles.io.track import Activity
from tests.conftest import SHARED_DATA

FUZZ = settings(
    max_examples=40,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Small real files of each format (the fuzz mutates them); skipped when the data are absent.
SEEDS = {
    "fit": "fit/heartandsole_fr220_testdata.fit",
    "gpx": "gpx/heartandsole_fr220_testdata.gpx",
    "tcx": "tcx/heartandsole_fr220_testdata.tcx",
}


def _check(data: bytes, name: str = "fuzz.bin") -> None:
    try:
        act = parse_activity(data, name)
    except FileFormatError as exc:
        assert name in str(exc)
        return
    assert isinstance(act, Activity)
    assert len(act) >= 2
    assert np.all(np.diff(act.time_s) > 0)
    assert np.all(np.diff(act.distance_m) >= 0)


def _fit_header(size: int) -> bytes:
    return struct.pack("<BBHI4s", 12, 0x10, 2000, size, b".FIT")


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_behind_fit_header(body: bytes) -> None:
    _check(_fit_header(len(body)) + body)


@FUZZ
@given(st.sampled_from(["gpx", "TrainingCenterDatabase", "Activities"]), st.text(max_size=2000))
def test_random_text_inside_xml_root(root: str, body: str) -> None:
    _check(f'<?xml version="1.0"?><{root}>{body}'.encode())


def _seed(fmt: str) -> bytes:
    path = SHARED_DATA / "activities" / SEEDS[fmt]
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path.read_bytes()


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_real_file(fmt: str, data: st.DataObject) -> None:
    raw = bytearray(_seed(fmt))
    n_edits = data.draw(st.integers(1, 8), label="edits")
    for _ in range(n_edits):
        kind = data.draw(st.sampled_from(["flip", "delete", "insert"]), label="kind")
        pos = data.draw(st.integers(0, len(raw) - 1), label="pos")
        if kind == "flip":
            raw[pos] ^= data.draw(st.integers(1, 255), label="mask")
        elif kind == "delete":
            del raw[pos : pos + data.draw(st.integers(1, 64), label="len")]
        else:
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16), label="ins")
        if not raw:
            break
    _check(bytes(raw), f"mutated.{fmt}")


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@FUZZ
@given(cut=st.floats(0.0, 1.0))
def test_truncated_real_file(fmt: str, cut: float) -> None:
    raw = _seed(fmt)
    _check(raw[: int(cut * len(raw))], f"cut.{fmt}")
