extensions = ["myst_parser", "telnetmail"]
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
