"""Camera incidents (a camera stopped, stopped writing, or froze) and the alerts they send."""
