extensions = ["telnetmail"]
transcript_timeout = 1.0
