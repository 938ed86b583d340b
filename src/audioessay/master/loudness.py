"""What mastering reports: integrated loudness (ITU-R BS.1770), true peak, loudness range."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness in LUFS and true peak in dBTP; -inf for digital silence."""

    integrated_lufs: float
    true_peak_dbtp: float
    range_lu: float = 0.0

    def __str__(self) -> str:
        return f"{self.integrated_lufs:.1f} LUFS, {self.true_peak_dbtp:.1f} dBTP"
