"""The command-line interface: the only layer that talks to the terminal."""
