"""The allocator settings applied before a solve: accepted by glibc (each ``mallopt`` returns 1),
applied once, and nothing on other platforms."""

from __future__ import annotations

import platform
import sys

import pytest

from runmuscles.ocp import solve as solve_mod


def test_the_allocator_keeps_freed_memory_on_linux() -> None:
    first = solve_mod.keep_freed_memory()
    assert solve_mod.keep_freed_memory() is first  # applied once, the answer remembered
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert first is True  # every setting within glibc's allowed range


def test_elsewhere_the_allocator_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    solve_mod.keep_freed_memory.cache_clear()
    monkeypatch.setattr(solve_mod.sys, "platform", "darwin")
    try:
        assert solve_mod.keep_freed_memory() is False
    finally:
        solve_mod.keep_freed_memory.cache_clear()  # this process applies them again
