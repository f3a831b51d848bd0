"""Digital signatures on issued PDFs: PAdES B-LT with an RFC 3161 timestamp, made with a key on a
PKCS#11 token or in a PKCS#12 file, and their verification against configured trust anchors.

`keys` opens a signer, `trust` reads the anchors, `certificates` reads the holder from a
certificate, `sign` signs, `fields` adds and fills the number and date fields, `verify` reports
each signature.
"""
