"""Bad input to the readers: each case gives a FileFormatError naming the file and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from runmuscles.errors import FileFormatError
from runmuscles.io import parse_activity, read_activity

GPX = b"""<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
<trk><type>running</type><trkseg>
<trkpt lat="45.0000" lon="7.0000"><ele>100</ele><time>2024-01-01T10:00:00Z</time></trkpt>
<trkpt lat="45.0001" lon="7.0000"><ele>101</ele><time>2024-01-01T10:00:04Z</time></trkpt>
<trkpt lat="abc" lon="7.0000"><ele>101</ele><time>2024-01-01T10:00:06Z</time></trkpt>
<trkpt lat="45.0002" lon="7.0000"><ele>-500</ele><time>2024-01-01T10:00:08Z</time></trkpt>
<trkpt lat="45.0003" lon="7.0000"><ele>102</ele><time>2024-01-01T10:00:12Z</time></trkpt>
</trkseg></trk></gpx>
"""


def test_one_bad_gpx_point_does_not_lose_the_file() -> None:
    act = parse_activity(GPX, "run.gpx")
    assert len(act) == 4
    assert any("skipped 1 track point" in w for w in act.warnings)
    # the -500 m sentinel became NaN, with a warning
    assert sum(act.elevation_m != act.elevation_m) == 1
    assert any("sentinel" in w for w in act.warnings)
    # 3 steps of 0.0001 deg latitude = 11.1 m each
    assert act.distance_m[-1] == pytest.approx(3 * 11.12, rel=0.01)


def test_format_comes_from_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "actually_gpx.fit"
    path.write_bytes(GPX)
    assert read_activity(path).format == "gpx"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01garbage" * 10, "not a FIT, GPX or TCX"),
        (b"<html><body>hello</body></html>", "not a FIT, GPX or TCX"),
        (b'<?xml version="1.0"?><gpx><trk><trkseg></trkseg></trk></gpx>', "no timed track"),
        (b"<gpx><trk><trkseg><trkpt lat='1' lon='2'><time>2024-01-01T", "no timed track point"),
        (
            b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>',
            "entities",
        ),
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", "cut short"),
    ],
)
def test_bad_content_is_refused_clearly(content: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message) as info:
        parse_activity(content, "myrun.dat")
    assert "myrun.dat" in str(info.value)


def test_missing_folder_and_oversized(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="no such file"):
        read_activity(tmp_path / "nope.fit")
    with pytest.raises(FileFormatError, match="folder"):
        read_activity(tmp_path)
    big = tmp_path / "big.gpx"
    big.write_bytes(GPX)
    with pytest.raises(FileFormatError, match="larger than"):
        read_activity(big, max_bytes=100)
