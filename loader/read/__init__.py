"""Reading: digest text -> `Digest` (parse), from a file, a saved web page (webpage) or
the publisher's site (harvest). The first stage: it imports no other."""
