extensions = ["telnetmail"]
transcript_results = ["embedded.json", "dovecot-postfix.json"]
