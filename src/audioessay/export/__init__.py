"""The export stage: mastered blocks -> one gapless MP3, its ID3 tags, and the files beside it."""
