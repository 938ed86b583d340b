"""The speech stage: Script -> Plan -> Clips, through the TTS engines and the sentence cache."""
