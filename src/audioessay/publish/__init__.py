"""After the render: check a finished MP3, and build the show's feed and its static site."""
