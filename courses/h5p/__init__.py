"""H5P packages: validation, the library store and extraction. Ours: no Python package does this
safely (pyh5p refuses genuine packages and accepts dangerous ones)."""
