extensions = ["telnetmail"]
transcript_server_name = "mail.school.example"
transcript_jobs = 1
