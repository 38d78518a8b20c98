extensions = ["telnetmail"]
project = "render"
