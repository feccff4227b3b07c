"""The running-muscle catalogue: content, sources, lookups, filters and strict validation."""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runmuscles import anatomy
from runmuscles.anatomy import PHASES, TERRAINS, load_catalogue, normalise_name
from runmuscles.errors import DataError, InputError, UnknownNameError

CAT = load_catalogue()

#: group ids fixed in the project conventions (COMMON.md)
MUSCLE_IDS = [
    "abdominals", "back_extensors", "deltoids", "lats", "biceps", "triceps", "hip_flexors",
    "gluteals", "quadriceps", "hamstrings", "calves", "tibialis_anterior", "foot",
]  # fmt: skip
TISSUE_IDS = [
    "achilles_tendon", "patellar_tendon", "plantar_fascia", "knee_ligaments", "ankle_ligaments",
]  # fmt: skip

#: members issue 2 requires (own or shared members)
REQUIRED_MEMBERS = {
    "abdominals": ["rectus abdominis", "external oblique", "internal oblique",
                   "transversus abdominis"],
    "back_extensors": ["erector spinae", "multifidus"],
    "deltoids": ["anterior deltoid", "posterior deltoid"],
    "biceps": ["biceps brachii", "brachialis"],
    "triceps": ["triceps brachii"],
    "hip_flexors": ["psoas major", "iliacus", "rectus femoris"],
    "gluteals": ["gluteus maximus", "gluteus medius"],
    "quadriceps": ["rectus femoris", "vastus lateralis", "vastus medialis", "vastus intermedius"],
    "hamstrings": ["biceps femoris long head", "biceps femoris short head", "semimembranosus",
                   "semitendinosus"],
    "calves": ["medial gastrocnemius", "lateral gastrocnemius", "soleus"],
    "tibialis_anterior": ["tibialis anterior"],
    "foot": [
        "abductor hallucis", "flexor digitorum brevis", "abductor digiti minimi",  # layer 1
        "quadratus plantae", "lumbricals",  # layer 2
        "flexor hallucis brevis", "adductor hallucis", "flexor digiti minimi brevis",  # layer 3
        "plantar interossei", "dorsal interossei",  # layer 4
        "flexor hallucis longus", "flexor digitorum longus",  # long toe flexors
    ],
}  # fmt: skip

#: model muscle -> group, from the project conventions
MODEL_TO_GROUP = {
    "glut_max": "gluteals", "iliopsoas": "hip_flexors", "hamstrings": "hamstrings",
    "bifemsh": "hamstrings", "rect_fem": "quadriceps", "vasti": "quadriceps", "gastroc": "calves",
    "soleus": "calves", "tib_ant": "tibialis_anterior", "toe_flexors": "foot",
    "foot_intrinsics": "foot", "rect_abd": "abdominals", "erector_spinae": "back_extensors",
    "delt_ant": "deltoids", "delt_post": "deltoids", "biceps": "biceps", "triceps": "triceps",
}  # fmt: skip


def statements(g: anatomy.MuscleGroup) -> list[tuple[str, tuple[str, ...]]]:
    out = [("summary", g.summary.sources), ("anatomy", g.anatomy_sources)]
    out += [(f"joint {j.joint}", j.sources) for j in g.joints]
    out += [(f"phase {p.phase}", p.sources) for p in g.phases]
    out += [(f"hill {h.terrain}", h.sources) for h in g.hills]
    out += [(f"weakness {i}", w.sources) for i, w in enumerate(g.weaknesses)]
    return out


# ------------------------------------------------------------------------------------ content
def test_required_groups_present_in_order_with_kinds() -> None:
    assert list(CAT.ids) == MUSCLE_IDS + TISSUE_IDS
    for gid in MUSCLE_IDS:
        assert CAT.group(gid).kind == "muscle_group"
    assert {CAT.group(t).kind for t in TISSUE_IDS} == {"tendon", "ligament", "fascia"}


@pytest.mark.parametrize("gid", list(REQUIRED_MEMBERS))
def test_required_members(gid: str) -> None:
    have = {normalise_name(m) for m in CAT.group(gid).all_members}
    missing = [m for m in REQUIRED_MEMBERS[gid] if m not in have]
    assert not missing, f"{gid} lacks {missing}"


@pytest.mark.parametrize("gid", MUSCLE_IDS + TISSUE_IDS)
def test_every_statement_has_sources_that_resolve(gid: str) -> None:
    g = CAT.group(gid)
    for where, keys in statements(g):
        assert keys, f"{gid} {where}: no source"
        for k in keys:
            src = CAT.sources[k]  # KeyError would mean a dangling key
            assert src.authors and src.title and src.year > 1900
            assert src.journal or src.publisher
    assert [p.phase for p in g.phases] == list(PHASES)
    assert [h.terrain for h in g.hills] == list(TERRAINS)
    assert g.joints and g.weaknesses and g.region and g.side


def test_exercises_and_warmup_statements_are_sourced() -> None:
    for e in CAT.exercises:
        assert e.sources and all(k in CAT.sources for k in e.sources), e.id
    w, r = CAT.warmup, CAT.routine
    for item in (w.summary, *w.steps, *w.notes, *r.notes):
        assert item.sources and all(k in CAT.sources for k in item.sources)
    assert r.sources and all(k in CAT.sources for k in r.sources)


def test_source_entries_are_well_formed() -> None:
    for key, s in CAT.sources.items():
        assert s.key == key
        assert not s.doi or re.fullmatch(r"10\.\d{4,9}/\S+", s.doi), (key, s.doi)
        assert str(s.year) in s.citation() and s.title in s.citation()


@pytest.mark.parametrize(
    ("gid", "topic"),
    [
        ("hamstrings", "hamstring_quadriceps_ratio"),
        ("quadriceps", "hamstring_quadriceps_ratio"),
        ("hip_flexors", "tight_hip_flexors"),
        ("gluteals", "tight_hip_flexors"),
        ("foot", "stiff_ankles"),
        ("plantar_fascia", "stiff_ankles"),
        ("tibialis_anterior", "downhill_shin_pain"),
        ("abdominals", "weak_core"),
        ("back_extensors", "weak_core"),
    ],
)
def test_required_injury_links(gid: str, topic: str) -> None:
    assert topic in {w.topic for w in CAT.group(gid).weaknesses}


def test_phase_roles_match_published_patterns() -> None:
    # Novacheck 1998, Mann 1986: hamstrings peak in late swing; calves quiet in swing but
    # pre-activate before touchdown; Hamner & Delp 2013: soleus the main support muscle in stance.
    assert "swing" in CAT.group("hamstrings").active_in
    assert CAT.group("calves").active_in == ("stance", "float")
    assert "stance" in CAT.group("calves").active_in
    assert "swing" in CAT.group("tibialis_anterior").active_in
    for tissue in TISSUE_IDS:  # passive tissues carry load in stance only
        assert CAT.group(tissue).active_in == ("stance",)


def test_hill_entries_record_eccentric_downhill_quadriceps() -> None:
    # Buczek & Cavanagh 1990, Eston 1995: downhill knee extensors work eccentrically, harder.
    down = CAT.group("quadriceps").hill("downhill")
    assert (down.demand, down.contraction, down.evidence) == ("higher", "eccentric", "measured")
    # Roberts & Belliveau 2005: uphill extra work comes from the hip extensors (concentric).
    up = CAT.group("gluteals").hill("uphill")
    assert (up.demand, up.contraction) == ("higher", "concentric")


def test_exercises_have_dosage_and_cover_the_groups() -> None:
    for e in CAT.exercises:
        d = e.dosage
        assert d.sets >= 1 and (d.reps or d.hold_s), e.id
        assert re.search(r"\d", d.text) and d.sessions_per_week, e.id
        assert e.group_ids and all(g in CAT.ids for g in e.group_ids)
    for gid in MUSCLE_IDS:
        assert CAT.exercises_for(gid), f"{gid} has no exercise"
    for gid in ["hip_flexors", "gluteals", "quadriceps", "hamstrings", "calves"]:
        kinds = {e.kind for e in CAT.exercises_for(gid)}
        assert kinds == {"strength", "stretch"}, gid
    # published protocols carried over exactly; rehabilitation protocols are kept apart from
    # the dosage for healthy runners
    heel = CAT.exercise("eccentric_heel_drop")
    assert heel.rehabilitation is not None and heel.rehabilitation.condition == "achilles_tendon"
    assert heel.rehabilitation.dosage.reps == "15"  # Alfredson 1998: 3 x 15
    assert heel.rehabilitation.dosage.weeks == 12
    assert heel.rehabilitation.dosage.sources == ("alfredson1998",)
    assert "not a programme tested" in heel.dosage.text and heel.dosage.sources == ("acsm2009",)
    squat = CAT.exercise("heavy_slow_squat").rehabilitation
    assert squat is not None and squat.condition == "patellar_tendon"
    assert squat.dosage.sources == ("kongsgaard2009",) and squat.dosage.weeks == 12
    assert CAT.exercise("nordic_hamstring").dosage.weeks == 10  # Petersen 2011 (prevention)
    for e in CAT.exercises:  # every rehabilitation protocol names what hurts and its trial
        if e.rehabilitation is not None:
            assert e.rehabilitation.condition in CAT.ids and e.rehabilitation.dosage.sources


def test_warmup_puts_five_minutes_of_easy_running_before_stretching() -> None:
    w = CAT.warmup
    assert w.minimum_easy_running_s >= 300.0
    first = w.steps[0]
    assert first.duration_s >= 300.0 and not first.exercises
    assert "5 minutes" in first.text
    stretch_steps = [i for i, s in enumerate(w.steps) if s.exercises]
    assert stretch_steps and min(stretch_steps) > 0
    r = CAT.routine
    assert {CAT.exercise(x).kind for x in r.strength} == {"strength"}
    assert {CAT.exercise(x).kind for x in r.stretch} == {"stretch"}


def test_objects_are_immutable() -> None:
    g = CAT.group("calves")
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.name = "x"  # type: ignore[misc]
    assert isinstance(g.members, tuple) and isinstance(g.phases, tuple)
    with pytest.raises(TypeError):
        CAT.sources["x"] = CAT.sources["novacheck1998"]  # type: ignore[index]


def test_default_catalogue_is_cached() -> None:
    assert load_catalogue() is load_catalogue()


def test_public_names_are_lazy_exports() -> None:
    import runmuscles

    assert runmuscles.load_catalogue is load_catalogue
    assert runmuscles.Catalogue is anatomy.Catalogue
    assert runmuscles.MuscleGroup is anatomy.MuscleGroup


# --------------------------------------------------------------------------------- lookups
@pytest.mark.parametrize(
    ("name", "gid"),
    [
        ("quads", "quadriceps"),
        ("vastus lateralis", "quadriceps"),
        ("  VASTUS_lateralis ", "quadriceps"),
        ("Glutes", "gluteals"),
        ("gluteus-medius", "gluteals"),
        ("rectus femoris", "quadriceps"),  # shared with hip_flexors, looked up under quadriceps
        ("psoas major", "hip_flexors"),
        ("hip flexors", "hip_flexors"),
        ("shin", "tibialis_anterior"),
        ("abs", "abdominals"),
        ("core", "abdominals"),
        ("delts", "deltoids"),
        ("calf", "calves"),
        ("soleus", "calves"),
        ("Achilles", "achilles_tendon"),
        ("flexor hallucis longus", "foot"),
        ("tibialis_anterior", "tibialis_anterior"),
    ],
)
def test_find_accepts_ids_names_aliases_members(name: str, gid: str) -> None:
    assert CAT.find(name).id == gid


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(UnknownNameError) as err:
        CAT.find("hamstring")
    assert err.value.suggestions == ("hamstrings",)
    assert isinstance(err.value, InputError) and isinstance(err.value, KeyError)
    with pytest.raises(UnknownNameError) as err:
        CAT.find("xyzzy plugh")
    assert err.value.suggestions == ()
    with pytest.raises(UnknownNameError):
        CAT.group("quads")  # group() takes exact ids only


def test_groups_with_member_lists_shared_members() -> None:
    ids = [g.id for g in CAT.groups_with_member("Rectus Femoris")]
    assert ids == ["hip_flexors", "quadriceps"]


@pytest.mark.parametrize(("muscle", "gid"), sorted(MODEL_TO_GROUP.items()))
def test_model_muscles_map_to_groups(muscle: str, gid: str) -> None:
    assert CAT.group_for_model_muscle(muscle).id == gid
    assert CAT.group_for_model_muscle(muscle + "_l").id == gid


# --------------------------------------------------------------------------------- filters
def test_filter_by_phase_matches_active_flags() -> None:
    for phase in PHASES:
        want = [g.id for g in CAT.groups if g.phase(phase).active]
        assert [g.id for g in CAT.filter(phase=phase)] == want
    swing = {g.id for g in CAT.filter(phase="swing")}
    assert {"hamstrings", "hip_flexors", "tibialis_anterior"} <= swing
    assert not swing & {"calves", "foot", "achilles_tendon"}


def test_filter_by_region_and_terrain() -> None:
    assert [g.id for g in CAT.filter(region="thigh")] == ["quadriceps", "hamstrings"]
    for terrain in TERRAINS:
        want = [g.id for g in CAT.groups if g.hill(terrain).demand == "higher"]
        assert [g.id for g in CAT.filter(terrain=terrain)] == want
    assert "quadriceps" in {g.id for g in CAT.filter(terrain="downhill")}
    assert "gluteals" in {g.id for g in CAT.filter(terrain="uphill")}
    both = CAT.filter(phase="swing", region="thigh", terrain="uphill")
    assert [g.id for g in both] == ["hamstrings"]


def test_filter_rejects_unknown_values() -> None:
    with pytest.raises(UnknownNameError) as err:
        CAT.filter(phase="stanse")
    assert err.value.suggestions == ("stance",)
    with pytest.raises(UnknownNameError):
        CAT.filter(terrain="flat")


# ----------------------------------------------------------------------- strict validation
def source_text() -> str:
    return (resources.files("runmuscles") / "data" / "catalogue.toml").read_text("utf-8")


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "catalogue.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unmodified_copy_loads(tmp_path: Path) -> None:
    cat = load_catalogue(write(tmp_path, source_text()))
    assert cat.ids == CAT.ids and cat is not CAT


BROKEN = [
    pytest.param('id = "quadriceps"\n', 'id = "quadriceps"\ncolour = "red"\n',
                 r"group 'quadriceps'.*unknown key.*'colour'", id="unknown-key"),
    pytest.param('sources = ["croisier2008"]', 'sources = ["croisier2009"]',
                 r"unknown source key 'croisier2009'.*did you mean croisier2008", id="bad-source"),
    pytest.param('sources = ["croisier2008"]', "sources = []",
                 r"'sources' must not be empty", id="empty-sources"),
    pytest.param('text = "The calf muscles are largely quiet through most of swing."\n'
                 'sources = ["novacheck1998", "mann1986"]\n',
                 'text = "The calf muscles are largely quiet through most of swing."\n',
                 r"group 'calves'.*swing.*missing required key 'sources'", id="no-sources"),
    pytest.param('id = "triceps"', 'id = "biceps"', r"group 'biceps': duplicate id",
                 id="duplicate-id"),
    pytest.param('aliases = ["back of the thigh"', 'aliases = ["quads", "back of the thigh"',
                 r"group 'hamstrings'.*'quads' is already used by group 'quadriceps'",
                 id="duplicate-alias"),
    pytest.param('targets = ["hamstrings"]', 'targets = ["hamstrung"]',
                 r"exercise 'nordic_hamstring'.*targets 'hamstrung'.*lacks", id="bad-target"),
    pytest.param('name = "Triceps"', 'name = "  "', r"group 'triceps'.*'name'.*non-empty",
                 id="empty-name"),
    pytest.param('region = "thigh"', 'region = "neck"', r"'region' = 'neck' is not one of",
                 id="bad-region"),
    pytest.param("[groups.phases.float]", "[groups.phases.flight]",
                 r"group 'abdominals'.*missing required key 'float'", id="missing-phase"),
    pytest.param('terrain = "downhill"', 'terrain = "uphill"',
                 r"terrain 'uphill' given twice", id="duplicate-terrain"),
    pytest.param("[sources.novacheck1998]", "[sources.unused2020]\nauthors = \"A\"\nyear = 2020"
                 "\ntitle = \"T\"\njournal = \"J\"\n\n[sources.novacheck1998]",
                 r"sources never cited: unused2020", id="unused-source"),
    pytest.param("year = 1998", "year = 1998\npages = \"77-95\"",
                 r"source 'novacheck1998'.*unknown key.*'pages'", id="source-unknown-key"),
    pytest.param('stretch = ["kneeling_hip_flexor_stretch"', 'stretch = ["nordic_hamstring"',
                 r"'nordic_hamstring' is a strength exercise, listed in 'stretch'",
                 id="routine-kind"),
    pytest.param('members = ["psoas major", "iliacus", "iliopsoas"]',
                 'members = ["psoas major", "iliacus", "iliopsoas", "rectus femoris"]',
                 r"member 'rectus femoris' is already a member", id="member-twice"),
    pytest.param("schema = 1", "schema = 1\n[[groups", r"not valid TOML", id="bad-toml"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "match"), BROKEN)
def test_broken_file_raises_data_error_naming_entry(
    tmp_path: Path, old: str, new: str, match: str
) -> None:
    text = source_text()
    assert old in text, f"test fixture out of date: {old!r} not in catalogue.toml"
    with pytest.raises(DataError, match=match):
        load_catalogue(write(tmp_path, text.replace(old, new, 1)))


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read catalogue"):
        load_catalogue(tmp_path / "nope.toml")


# --------------------------------------------------------------------------- property test
LABELS = [(label, g.id) for g in CAT.groups for label in (g.id, g.name, *g.aliases, *g.members)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(LABELS), st.randoms(use_true_random=False))
def test_find_ignores_case_spacing_and_separators(pair: tuple[str, str], rnd: Random) -> None:
    label, gid = pair
    chars = [c.upper() if rnd.random() < 0.5 else c.lower() for c in label]
    mangled = "".join(rnd.choice([" ", "_", "-", "  "]) if c == " " else c for c in chars)
    assert CAT.find(f" {mangled} ").id == gid
    assert normalise_name(normalise_name(mangled)) == normalise_name(mangled)
