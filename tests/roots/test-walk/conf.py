extensions = ["telnetmail"]
transcript_timeout = 2.0
