"""The mix stage: Clips -> the Timeline and the episode as blocks (voice chain, music bed, ducking)."""
