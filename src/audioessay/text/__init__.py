"""Korean text as pure functions: what a narrator says for what is written, and where to split."""
