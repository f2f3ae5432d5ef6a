"""The core: no IPython, no ipywidgets, no views. Everything that polls, parses and caches."""
