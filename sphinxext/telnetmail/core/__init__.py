"""The pure core: transcript model, parser and static checks. No Sphinx, no sockets."""
