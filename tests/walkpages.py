"""Pages whose dialogues pass alone but not all in page order, and the reverse.

``send`` delivers one message; ``delete`` deletes it; ``read`` lists one
message. Alone (after their ``:after:`` chains) each passes; walked in this
order, ``read`` finds none.
"""

SEND = """\
.. transcript::
   :name: send

   telnet: > telnet mx1.example.com smtp
   server: 220 mx1.example.com ESMTP
   client: HELO client.example.com
   server: 250 mx1.example.com
   client: MAIL FROM:<sender@example.com>
   server: 250 OK
   client: RCPT TO:<recipient@example.com>
   server: 250 OK
   client: DATA
   server: 354 End data with <CR><LF>.<CR><LF>
   client: Subject: hello
   client:
   client: Hi.
   client: .
   server: 250 OK
   client: QUIT
   server: 221 Bye
"""

# LIST shows one message only if ``send`` ran first, on the same store.
READ = """\
.. transcript::
   :name: read
   :after: send

   telnet: > telnet pop.example.com pop3
   server: +OK ready
   client: USER MyUsername
   server: +OK
   client: PASS MyPassword
   server: +OK Logged in.
   client: LIST
   server: +OK 1 messages
   server: 1 371
   server: .
   client: QUIT
   server: +OK bye
"""


DELETE = """\
.. transcript::
   :name: delete
   :after: send

   telnet: > telnet pop.example.com pop3
   server: +OK ready
   client: USER MyUsername
   server: +OK
   client: PASS MyPassword
   server: +OK Logged in.
   client: DELE 1
   server: +OK Marked to be deleted.
   client: QUIT
   server: +OK bye
"""


