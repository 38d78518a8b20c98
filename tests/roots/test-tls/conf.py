extensions = ["telnetmail"]
project = "tls"
