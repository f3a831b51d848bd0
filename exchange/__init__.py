"""Exchanging issued documents with other agencies' e-office systems: edXML packages (QCVN 102:2016/BTTTT,
amended 2022) and their status messages. docs/edxml.md says where each element comes from."""
