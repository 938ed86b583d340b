"""Signal processing on sample arrays: BS.1770 meters, gain curves, the limiter, conversions."""
