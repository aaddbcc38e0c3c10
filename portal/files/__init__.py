"""Files people hand in and files the site keeps: checks on uploads, the limit on files per
request, and the private storage they live in. Used by applications, certificates and the
requests ledger alike."""
