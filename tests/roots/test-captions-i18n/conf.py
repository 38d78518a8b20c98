extensions = ["telnetmail"]
language = "it"
locale_dirs = ["locale"]
