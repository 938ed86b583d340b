"""Many episodes in one command: a process pool on one machine, or a Dask cluster.

jobs.py says what one episode's render is and what came of it; local.py runs jobs in
worker processes here; cluster.py sends them to Dask; table.py formats what happened;
show.py finds the scripts of a show file's episodes.
"""
