"""The mastering stage: measure the mix (pass 1), then gain and limit it to its target (pass 2)."""
