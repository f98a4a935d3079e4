"""How resources/fonts/NotoSansSC-CardChain.otf was made (run once by a maintainer; not at
build time): Noto Sans CJK SC Regular (SIL Open Font License 1.1, see OFL.txt) cut down to
ASCII, Latin-1, general punctuation, CJK punctuation, full-width forms and the 6,763
hanzi of GB 2312, so a machine without a Chinese font (a CI box, a fresh VM) still shows
the Chinese interface and demo names.  Needs `pip install fonttools`.

    python resources/fonts/make_subset.py NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection


def gb2312() -> set[int]:
    out: set[int] = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.add(ord(bytes([hi, lo]).decode("gb2312")))
    return out


def main() -> None:
    font = TTCollection(sys.argv[1]).fonts[2]  # index 2 is Noto Sans CJK SC
    codes = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070))
    codes |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0)) | {0x00D7, 0x2116}
    codes |= gb2312()
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.layout_features = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(codes))
    sub.subset(font)
    out = Path(__file__).with_name("NotoSansSC-CardChain.otf")
    font.save(out)
    print(out, out.stat().st_size, "bytes,", len(codes), "code points")


if __name__ == "__main__":
    main()
