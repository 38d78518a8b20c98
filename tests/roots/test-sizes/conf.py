extensions = ["telnetmail"]
