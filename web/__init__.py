"""The web app: sign-in by emailed link, the secretariats and reviewers pages, actions from email."""
