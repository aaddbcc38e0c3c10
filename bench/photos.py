"""Benchmark the server's photo scaling (issue 20): what a 12-megapixel phone photo costs to check
and keep, and what is kept.

Why: every JPEG larger than a reading size is stored as a scaled copy (portal/files/photos.py),
inside the upload's request; this says how long that request waits and how much smaller the
stored file is. The photo is made as the tests make it (tests/files/photo_files.py): a page with
an ID number on a desk, 4000 × 3000, the sensor's grain, saved by the "camera" at quality 95
(about 6 MB), with an EXIF orientation and GPS position, as phones write them. A 200-dpi A4 PNG
scan and a 300-dpi one show the PNG rule next to it.

Prints `name = value unit` lines on stdout (medians of `--repeats` checks), nothing else.

Usage: .venv/bin/python bench/photos.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Run as a script, Python puts bench/ first on the path, where bench/approvals.py would shadow
# the `approvals` app; the repository root must come first instead.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    from django.conf import settings

    settings.configure(USE_I18N=False)  # check_upload reads only the upload limit (default 10 MB)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw, ImageFont

    from portal.files.uploads import check_upload
    from tests.files.photo_files import jpeg, paper_photo, png

    photo = paper_photo((4000, 3000), digit_height=40)
    exif = Image.Exif()
    exif[0x0112] = 1
    exif.get_ifd(0x8825).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)})
    cases = {"phone_photo_12mp": (jpeg(photo, quality=95, exif=exif.tobytes()), "photo.jpg")}
    for name, size in (("png_scan_a4_200dpi", (1654, 2339)), ("png_scan_a4_300dpi", (2480, 3508))):
        scan = Image.effect_noise(size, 6).point(lambda v: min(255, v + 105))  # grey paper, ~233
        draw = ImageDraw.Draw(scan)
        font = ImageFont.load_default(size=size[0] // 60)
        for row in range(40):
            draw.text(
                (size[0] // 10, size[1] // 10 + row * size[0] // 30), "110101199003071234 " * 3, font=font
            )
        cases[name] = (png(scan), "scan.png")

    for name, (data, filename) in cases.items():
        times, kept = [], 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            checked = check_upload(SimpleUploadedFile(filename, data))
            times.append(time.perf_counter() - started)
            kept = checked.size
        stored = Image.open(io.BytesIO(checked.cleaned)) if checked.cleaned else None
        print(f"{name}.input = {len(data) / 1024:.0f} KB")
        print(f"{name}.stored = {kept / 1024:.0f} KB")
        pixels = f"{stored.width}x{stored.height}" if stored else "unchanged"
        print(f"{name}.stored_pixels = {pixels}")
        print(f"{name}.check_median = {statistics.median(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
