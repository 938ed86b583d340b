"""Generate the sample episode's cover art, audio/cover.jpg, from code alone.

A 1400x1400 RGB JPEG (the smallest size podcast directories accept): soft
overlapping circles on a dusk gradient, drawn with numpy and encoded by the
bundled ffmpeg. Deterministic, so the licence is the project's own.

    python scripts/make_cover.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audioessay.util import ffmpeg

SIZE = 1400
OUT = Path(__file__).resolve().parent.parent / "audio" / "cover.jpg"


def draw(size: int = SIZE) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    top, bottom = np.array([38, 42, 86]), np.array([232, 140, 110])
    img = top * (1 - y[..., None]) + bottom * y[..., None]
    rng = np.random.default_rng(2013)
    for _ in range(9):
        cx, cy, r = rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85), rng.uniform(0.08, 0.3)
        colour = rng.uniform(120, 255, size=3)
        d = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        alpha = 0.35 * np.clip((r - d) / (0.25 * r), 0, 1)[..., None]
        img = img * (1 - alpha) + colour * alpha
    return np.clip(img, 0, 255).astype(np.uint8)


def main() -> None:
    pixels = draw()
    ffmpeg.run(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{SIZE}x{SIZE}", "-i", "pipe:0",
                "-frames:v", "1", "-q:v", "3", "-pix_fmt", "yuvj444p", "-y", str(OUT)], input=pixels.tobytes())
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
