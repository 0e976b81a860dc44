"""The Hangul web font in static/fonts/ covers every Korean string we ship."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "static" / "fonts"
CATALOGUES = [
    ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po",
    ROOT / "static" / "js" / "i18n.js",
    ROOT / "cluster" / "sim" / "dataplane" / "trace_text.py",
    *sorted((ROOT / "templates").rglob("*.html")),
]
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def font_chars() -> set[str]:
    lines = (FONTS / "hangul-chars.txt").read_text("utf-8").splitlines()
    return {c for line in lines if not line.startswith("#") for c in line}


def test_every_hangul_character_of_the_catalogues_is_in_the_font() -> None:
    have = font_chars()
    for path in CATALOGUES:
        missing = sorted(set(HANGUL.findall(path.read_text("utf-8"))) - have)
        assert not missing, f"{path.relative_to(ROOT)} uses {''.join(missing)}: run tools/build_fonts.py"


def test_the_font_holds_the_ks_x_1001_syllables() -> None:
    common = {bytes([lead, trail]).decode("euc_kr") for lead in range(0xB0, 0xC9) for trail in range(0xA1, 0xFF)}
    assert len(common) == 2350
    assert common <= font_chars()


def test_both_weights_are_shipped_small_with_their_licence() -> None:
    for weight in ("regular", "bold"):
        data = (FONTS / f"servicescope-hangul-{weight}.woff2").read_bytes()
        assert data[:4] == b"wOF2" and len(data) < 700 * 1024
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text("utf-8")
    css = (ROOT / "static" / "css" / "servicescope.css").read_text("utf-8")
    assert css.count('font-family: "Servicescope Hangul"') == 2
    assert css.count("unicode-range: U+1100-11FF, U+3001-3003, U+3008-3011, U+3131-318E, U+AC00-D7A3;") == 2
