"""Build the Hangul web fonts in static/fonts/ from Noto Sans CJK KR (SIL Open Font License 1.1).

    apt-get install -y fonts-noto-cjk        # or: apt-get download fonts-noto-cjk && dpkg -x ... DIR
    .venv/bin/pip install fonttools==4.68.0 brotli==1.2.1
    .venv/bin/python tools/build_fonts.py [--source-dir /usr/share/fonts/opentype/noto]

Each weight keeps only what a Korean page needs: the 2,350 Hangul syllables of KS X 1001 (what a
learner is likely to type), every Hangul character our catalogues use (Django's .po, the page's
i18n.js, the trace texts), the modern jamo, and CJK punctuation. Latin stays in the page's own
font: servicescope.css gives these files a unicode-range of Hangul and CJK punctuation only.
The characters kept are written to static/fonts/hangul-chars.txt, which a test checks against
the catalogues, so a new Korean string with a rare syllable asks for a rebuild.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "fonts"
CATALOGUES = [
    ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po",
    ROOT / "static" / "js" / "i18n.js",
    ROOT / "cluster" / "sim" / "dataplane" / "trace_text.py",
]
WEIGHTS = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
KOREAN_FACE = "Noto Sans CJK KR"
# What the faces cover beside the syllables (keep the unicode-range in servicescope.css in step).
RANGES = [
    (0x1100, 0x1112),  # modern leading consonants (conjoining jamo)
    (0x1161, 0x1175),  # modern vowels
    (0x11A8, 0x11C2),  # modern trailing consonants
    (0x3001, 0x3003),  # 、 。 〃
    (0x3008, 0x3011),  # 〈 〉 《 》 「 」 『 』 【 】
    (0x3131, 0x318E),  # Hangul compatibility jamo (what a keyboard types alone: ㄱ ㅏ)
]
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def ks_x_1001_hangul() -> set[str]:
    """The 2,350 syllables of KS X 1001 (EUC-KR rows 0xB0 to 0xC8)."""
    chars = set()
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes([lead, trail]).decode("euc_kr"))
            except UnicodeDecodeError:
                continue
    return {c for c in chars if 0xAC00 <= ord(c) <= 0xD7A3}


def catalogue_hangul() -> set[str]:
    return {c for path in CATALOGUES if path.exists() for c in HANGUL.findall(path.read_text("utf-8"))}


def wanted() -> set[str]:
    chars = ks_x_1001_hangul() | catalogue_hangul()
    for lo, hi in RANGES:
        chars |= {chr(cp) for cp in range(lo, hi + 1)}
    return chars


def korean_font(path: Path):
    for font in TTCollection(str(path)).fonts:
        if font["name"].getDebugName(1) == KOREAN_FACE:
            return font
    raise SystemExit(f"{path} has no {KOREAN_FACE} face")


def build(source_dir: Path) -> None:
    chars = wanted()
    extra = sorted(catalogue_hangul() - ks_x_1001_hangul() - {c for c in chars if ord(c) < 0xAC00})
    if extra:
        print("catalogue syllables outside KS X 1001:", "".join(extra))
    kept: set[str] = set()
    for weight, filename in WEIGHTS.items():
        font = korean_font(source_dir / filename)
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]  # keeps jamo composition (ljmo/vjmo/tjmo) and vertical forms
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.hinting = False
        options.desubroutinize = True  # smaller after Brotli
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        target = OUT / f"servicescope-hangul-{weight.lower()}.woff2"
        font.flavor = "woff2"
        font.recalcTimestamp = False  # the same source gives the same bytes
        font.save(str(target))
        cmap = {chr(cp) for cp in font.getBestCmap()}
        kept = cmap if not kept else kept & cmap
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 1024:.0f} KB, {len(cmap)} characters")
    missing = sorted(chars - kept)
    if missing:
        print("not in the source font:", "".join(missing))
    text = "".join(sorted(c for c in kept if HANGUL.match(c)))
    (OUT / "hangul-chars.txt").write_text(
        "# Hangul characters in servicescope-hangul-*.woff2 (written by tools/build_fonts.py)\n"
        + "\n".join(text[i : i + 50] for i in range(0, len(text), 50))
        + "\n",
        "utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    build(parser.parse_args().source_dir)


if __name__ == "__main__":
    main()
