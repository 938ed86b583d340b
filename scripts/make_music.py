"""Generate audioessay's bundled music beds from code alone (no samples).

    python scripts/make_music.py [OUT_DIR]     # default: audio/ beside this script's repo

Writes ambient_pad.ogg and piano_arpeggio.ogg: 44.1 kHz stereo Ogg Vorbis,
each a whole number of bars built as a circular signal (every note's tail
wraps around to the start, reverb is a circular convolution), so the file
loops with no seam. Deterministic: fixed seeds, fixed parameters.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from audioessay.util import ffmpeg
from audioessay.util.fsutil import atomic_path

RATE = 44100


def midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def place(buf: np.ndarray, start: int, sound: np.ndarray) -> None:
    """Add `sound` (frames, 2) into circular `buf` at `start`, wrapping past the end."""
    n = len(buf)
    idx = (start + np.arange(len(sound))) % n
    np.add.at(buf, idx, sound)


def circular_reverb(x: np.ndarray, seconds: float, mix: float, rng: np.random.Generator) -> np.ndarray:
    """Exponentially decaying stereo noise reverb applied by circular (FFT) convolution."""
    n = len(x)
    t = np.arange(int(seconds * RATE)) / RATE
    decay = np.exp(-6.9 * t / seconds)  # -60 dB at `seconds`
    wet = np.empty_like(x)
    for ch in range(2):
        ir = np.zeros(n)
        ir[: len(t)] = rng.standard_normal(len(t)) * decay
        ir /= np.sqrt(np.sum(ir**2))
        wet[:, ch] = np.fft.irfft(np.fft.rfft(x[:, ch]) * np.fft.rfft(ir), n)
    return (1 - mix) * x + mix * wet


def ambient_pad(rng: np.random.Generator) -> np.ndarray:
    """Slow chords (Cmaj9 - Am9 - Fmaj7#11 - G6/9), 8 s each, 4 chords = 32 s."""
    chord_s = 8.0
    chords = [[48, 55, 59, 62, 64], [45, 52, 55, 59, 64], [41, 48, 52, 57, 59], [43, 50, 55, 57, 62]]
    n = int(chord_s * len(chords) * RATE)
    buf = np.zeros((n, 2))
    dur = int((chord_s + 4.0) * RATE)  # notes ring 4 s into the next chord (crossfade)
    t = np.arange(dur) / RATE
    env = np.minimum(1.0, t / 2.5) * np.clip((dur / RATE - t) / 3.5, 0, 1)
    env = env**2 * (3 - 2 * env)  # smoothstep: soft swell and decay
    for c, chord in enumerate(chords):
        for k, note in enumerate(chord):
            f = midi_hz(note)
            voice = np.zeros((dur, 2))
            for side, detune in enumerate((-0.12, 0.12)):  # cents-level chorus, wider per side
                fd = f * 2 ** (detune * (1 + k % 2) / 12)
                for h, amp in ((1, 1.0), (2, 0.35), (3, 0.15), (4, 0.06)):
                    phase = rng.uniform(0, 2 * np.pi)
                    voice[:, side] += amp * np.sin(2 * np.pi * fd * h * t + phase)
            place(buf, int(c * chord_s * RATE), voice * env[:, None] / (1 + 0.3 * k))
    # A slow filter-like shimmer: LFO periods divide the loop length exactly.
    tt = np.arange(n) / n
    buf *= (0.85 + 0.15 * np.sin(2 * np.pi * 2 * tt))[:, None]
    # Airy noise layer, band-limited in the frequency domain (circular by construction).
    noise = np.fft.rfft(rng.standard_normal((n, 2)), axis=0)
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    band = np.exp(-0.5 * ((np.log2(np.maximum(freqs, 1) / 2500)) / 0.6) ** 2)
    air = np.fft.irfft(noise * band[:, None], n, axis=0)
    buf += 0.02 * air / np.std(air) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * tt + 1))[:, None]
    return circular_reverb(buf, 3.0, 0.35, rng)


def piano_arpeggio(rng: np.random.Generator) -> np.ndarray:
    """Eighth-note arpeggios at 80 bpm over Am - F - C - G (2 bars each), 16 bars = 48 s."""
    beat = 60.0 / 80
    step = beat / 2
    bars = [[57, 64, 69, 72], [53, 60, 65, 69], [48, 55, 60, 64], [43, 50, 55, 59]]
    pattern = [0, 1, 2, 3, 2, 1, 2, 3]  # eighth notes per bar, up and back
    n = int(round(16 * 4 * beat * RATE))
    buf = np.zeros((n, 2))
    tail = int(3.0 * RATE)
    t = np.arange(tail) / RATE
    attack = np.minimum(1.0, t / 0.004)
    for bar in range(16):
        chord = bars[(bar // 2) % 4]
        octave = 12 if bar % 4 == 3 else 0  # a lift every fourth bar
        for i, p in enumerate(pattern):
            note = chord[p] + (octave if i >= 4 else 0)
            f = midi_hz(note)
            velocity = 0.8 + 0.2 * rng.random() - (0.15 if i % 2 else 0)
            tone = np.zeros(tail)
            for h in range(1, 9):
                fh = f * h * np.sqrt(1 + 0.0004 * h * h)  # string inharmonicity
                if fh > 9000:
                    break
                tone += (0.6**h) * np.exp(-t * (1.2 + 0.9 * h)) * np.sin(2 * np.pi * fh * t)
            tone *= attack * velocity
            pan = (note - 60) / 30  # low notes left of centre, high notes right
            sound = np.stack([tone * (1 - pan) / 2**0.5, tone * (1 + pan) / 2**0.5], axis=1)
            place(buf, int(round((bar * 8 + i) * step * RATE)), sound)
        # A soft low root on each bar's downbeat.
        root = chord[0] - 12
        bass = np.exp(-t * 1.5) * np.sin(2 * np.pi * midi_hz(root) * t) * attack * 0.5
        place(buf, int(round(bar * 4 * beat * RATE)), np.stack([bass, bass], axis=1))
    return circular_reverb(buf, 2.2, 0.3, rng)


def normalise(x: np.ndarray, peak_dbfs: float = -3.0) -> np.ndarray:
    # Remove DC circularly (keeps the loop seamless), then set the peak.
    x = x - x.mean(axis=0)
    return (x * (10 ** (peak_dbfs / 20) / np.abs(x).max())).astype(np.float32)


def write_ogg(x: np.ndarray, path: Path) -> None:
    with atomic_path(path) as tmp:
        ffmpeg.run(
            ["-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
             "-c:a", "libvorbis", "-q:a", "3", "-f", "ogg", str(tmp)],
            input=x.tobytes(),
        )  # fmt: skip


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "audio"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, make, seed in (("ambient_pad", ambient_pad, 1), ("piano_arpeggio", piano_arpeggio, 2)):
        x = normalise(make(np.random.default_rng(seed)))
        path = out_dir / f"{name}.ogg"
        write_ogg(x, path)
        print(f"{path}: {len(x) / RATE:.1f} s, {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
