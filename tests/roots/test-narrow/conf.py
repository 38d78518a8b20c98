extensions = ["telnetmail"]
exclude_patterns = ["_build"]
