"""Review stage: the Flask application and the `netral` command line."""
