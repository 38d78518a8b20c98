extensions = ["sphinx_exercise", "telnetmail"]
