"""Reader behaviour on small hand-written files with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from runmuscles.io import parse_activity

TREADMILL_TCX = b"""<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
 <Activities><Activity Sport="Running"><Id>2024-03-01T07:00:00Z</Id>
  <Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>20</TotalTimeSeconds>
   <DistanceMeters>60</DistanceMeters><Track>
   %s
   </Track></Lap>
  <Creator><Name>Forerunner 265</Name></Creator>
 </Activity></Activities></TrainingCenterDatabase>
"""
POINT = (
    "<Trackpoint><Time>2024-03-01T07:00:%02dZ</Time><DistanceMeters>%.1f</DistanceMeters>"
    "<HeartRateBpm><Value>140</Value></HeartRateBpm><Extensions><ns3:TPX>"
    "<ns3:Speed>3.0</ns3:Speed><ns3:RunCadence>84</ns3:RunCadence><ns3:Watts>250</ns3:Watts>"
    "</ns3:TPX></Extensions></Trackpoint>"
)


def test_treadmill_tcx_without_gps_keeps_every_point() -> None:
    body = "".join(POINT % (s, 3.0 * s) for s in range(0, 21, 2))
    act = parse_activity(TREADMILL_TCX % body.encode(), "treadmill.tcx")
    assert len(act) == 11 and not act.has_position and not act.has_elevation
    assert act.distance_m[-1] == pytest.approx(60.0)
    np.testing.assert_allclose(act.speed_m_s, 3.0)
    assert act.cadence_steps_per_min is not None
    np.testing.assert_allclose(act.cadence_steps_per_min, 168.0)  # 84 strides/min
    assert act.power_w is not None and act.heart_rate_bpm is not None
    assert act.device == "Forerunner 265" and act.sport == "running"
    assert act.totals.distance_m == 60.0 and act.totals.timer_time_s == 20.0


GPX_TWO_SEGMENTS = b"""<?xml version="1.0"?>
<gpx version="1.1" creator="unit" xmlns="http://www.topografix.com/GPX/1/1"
 xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><type>9</type>
<trkseg>
<trkpt lat="0.0000" lon="0"><time>2024-01-01T10:00:00Z</time><extensions>
 <gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>
 </gpxtpx:TrackPointExtension></extensions></trkpt>
<trkpt lat="0.0001" lon="0"><time>2024-01-01T10:00:04Z</time></trkpt>
</trkseg><trkseg>
<trkpt lat="0.0002" lon="0"><time>2024-01-01T10:00:30Z</time></trkpt>
<trkpt lat="0.0003" lon="0"><time>2024-01-01T10:00:34Z</time></trkpt>
</trkseg></trk></gpx>
"""


def test_gpx_segments_mark_pauses_and_distance_is_haversine() -> None:
    act = parse_activity(GPX_TWO_SEGMENTS, "two.gpx")
    assert act.paused.tolist() == [False, False, True, False]
    # 0.0001 deg of latitude on the equator = 6371008.8 m * pi/180 * 1e-4 = 11.1195 m
    assert act.distance_m[-1] == pytest.approx(3 * 11.1195, rel=1e-4)
    assert act.sport == "running"  # Strava's type code 9
    assert act.heart_rate_bpm is not None and act.heart_rate_bpm[0] == 150
    assert act.start_time is not None and act.start_time.isoformat() == "2024-01-01T10:00:00+00:00"
